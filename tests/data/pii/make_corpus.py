"""Regenerate the labelled redaction corpus beside this file (run from the project root):

    .venv/bin/python tests/data/pii/make_corpus.py

``comments.csv`` holds synthetic patient comments, every name, number and address invented.
Each row lists, as a JSON array, the exact identifier strings it contains (``identifiers``) and
their kinds; rows with none are ordinary comments, full of words a careless redactor would
remove (Ward 7, the Sister on duty, Macmillan nurses, bay 12, 12/03). The comments are written
in the ways people write FFT comments — lower case roles, relatives, thanks, addresses — so
that redaction is measured on what it will meet, not on the patterns it was built from.
``tests/test_redact.py`` and ``benchmarks/redaction.py`` score recall (identifiers removed)
and how many ordinary words were wrongly removed.
"""

import csv
import json
import random
from pathlib import Path

HERE = Path(__file__).resolve().parent
rng = random.Random(20261122)

FIRST = [
    "Aisha",
    "Tom",
    "Priya",
    "Grace",
    "Oluwaseun",
    "Siobhan",
    "Mohammed",
    "Zofia",
    "Gareth",
    "Chloe",
    "Ravi",
    "Bethany",
    "Kwame",
    "Niamh",
    "Hannah",
    "Dylan",
    "Fatima",
    "Callum",
    "Ewa",
    "Joanne",
    "Stuart",
    "Ngozi",
]
SURNAME = [
    "O'Brien",
    "McDonald",
    "MacLeod",
    "Patel",
    "Nowak",
    "Okafor",
    "Hughes",
    "D'Souza",
    "Fitzgerald",
    "Khan",
    "Lloyd-Jones",
    "McAllister",
    "Ahmed",
    "Kowalski",
    "Evans",
    "Mensah",
    "O'Neill",
    "Thompson",
    "Begum",
]
ROLE_TITLE = ["Sister", "Matron", "Nurse", "Dr", "Dr.", "Doctor", "Mr", "Mrs", "Ms", "Miss", "Professor"]
ROLE_LOWER = [
    "staff nurse",
    "nurse",
    "the nurse",
    "student nurse",
    "healthcare assistant",
    "the HCA",
    "physio",
    "the physiotherapist",
    "midwife",
    "the consultant",
    "the registrar",
    "porter",
    "the receptionist",
    "sister",
    "matron",
    "doctor",
    "the surgeon",
    "paramedic",
    "housekeeper",
    "the ward clerk",
]
RELATIVE = [
    "my son",
    "my daughter",
    "my wife",
    "my husband",
    "my mum",
    "my dad",
    "my partner",
    "my nan",
    "my grandson",
    "my granddaughter",
    "my brother",
    "my sister",
    "our daughter",
    "her husband",
    "my mother",
    "my father",
    "my friend",
    "my carer",
]
STREETS = [
    "Acacia Avenue",
    "Mill Lane",
    "High Street",
    "Orchard Close",
    "Station Road",
    "Church Walk",
    "Beech Grove",
    "Victoria Terrace",
    "Kingsway Drive",
    "Parkside Crescent",
    "Meadow View",
]
TOWNS = ["Ashcombe", "Longbridge", "Harrowfield", "Eastwick", "Bramley"]
POSTCODES = ["AV1 2BX", "AV12 7QT", "LB3 9PN", "hf2 4ee", "EW11 3DA", "BR7 1LZ", "SW1A 1AA", "M1 1AE"]
MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def name() -> str:
    return rng.choice(FIRST) if rng.random() < 0.45 else f"{rng.choice(FIRST)} {rng.choice(SURNAME)}"


def titled() -> str:
    return rng.choice(SURNAME) if rng.random() < 0.6 else rng.choice(FIRST)


def phone() -> str:
    return rng.choice(
        [
            f"07700 {rng.randint(900000, 900999)}",
            f"07{rng.randint(100, 999)}{rng.randint(100000, 999999)}",
            f"(020) 7946 {rng.randint(0, 9999):04d}",
            f"(0161) 496 {rng.randint(0, 9999):04d}",
            f"(01632) 960{rng.randint(0, 999):03d}",
            f"0113 496 {rng.randint(0, 9999):04d}",
            f"+44 7700 900{rng.randint(0, 999):03d}",
            f"01632 960{rng.randint(0, 999):03d}",
        ]
    )


def nhs() -> str:
    digits = f"{rng.randint(400, 999)}{rng.randint(100, 999)}{rng.randint(1000, 9999)}"
    return rng.choice([digits, f"{digits[:3]} {digits[3:6]} {digits[6:]}", f"{digits[:3]}-{digits[3:6]}-{digits[6:]}"])


def hospital_number() -> str:
    return rng.choice(
        [f"RX{rng.randint(100000, 9999999)}", f"K{rng.randint(1000000, 9999999)}", f"AVH{rng.randint(100000, 999999)}"]
    )


def dob() -> str:
    d, m, y = rng.randint(1, 28), rng.randint(1, 12), rng.randint(1925, 2005)
    return rng.choice(
        [
            f"{d:02d}/{m:02d}/{y}",
            f"{d}/{m}/{y}",
            f"{d} {MONTHS[m - 1]} {y}",
            f"{d}{'st' if d in (1, 21) else 'nd' if d in (2, 22) else 'rd' if d in (3, 23) else 'th'} {MONTHS[m - 1]} {y}",
            f"{d:02d}.{m:02d}.{y % 100:02d}",
            f"{d:02d}-{m:02d}-{y}",
        ]
    )


def address() -> str:
    return f"{rng.randint(1, 240)} {rng.choice(STREETS)}"


def email() -> str:
    first, last = rng.choice(FIRST).lower(), rng.choice(SURNAME).lower().replace("'", "")
    return f"{first}.{last}{rng.randint(1, 99)}@{rng.choice(['example.com', 'example.co.uk', 'mail.example.org'])}"


# Each template returns (text, [(identifier, kind), ...]).
def t_title():
    n = titled()
    r = rng.choice(ROLE_TITLE)
    return f"{r} {n} was so kind to my mother and explained everything.", [(n, "name")]


def t_title_two():
    a, b = titled(), titled()
    return f"Thank you to {rng.choice(ROLE_TITLE)} {a} and {rng.choice(ROLE_TITLE)} {b} on the night shift.", [
        (a, "name"),
        (b, "name"),
    ]


def t_role_lower():
    n = name()
    return f"{rng.choice(ROLE_LOWER)} {n} stayed late to help us, nothing was too much trouble.", [(n, "name")]


def t_role_mid():
    n = name()
    return f"When I arrived {rng.choice(ROLE_LOWER)} {n} found me a chair and a cup of tea.", [(n, "name")]


def t_relative():
    n = rng.choice(FIRST)
    return f"{rng.choice(RELATIVE).capitalize()} {n} was not told when visiting started.", [(n, "name")]


def t_relative_comma():
    n = name()
    return f"Nobody rang {rng.choice(RELATIVE)}, {n}, to say I had been moved wards.", [(n, "name")]


def t_my_name():
    n = name()
    return f"My name is {n} and I want to complain about the discharge.", [(n, "name")]


def t_called():
    n = rng.choice(FIRST)
    return f"A lovely lady called {n} brought me toast at 3am.", [(n, "name")]


def t_thanks():
    n = rng.choice(FIRST)
    return f"Thanks {n} for everything you did for dad.", [(n, "name")]


def t_phone():
    p = phone()
    return f"Please call me back on {p} as nobody has replied.", [(p, "phone")]


def t_phone_two():
    p, q = phone(), phone()
    return f"Tried {p} and then {q} but no answer from the ward.", [(p, "phone"), (q, "phone")]


def t_nhs():
    n = nhs()
    return f"My NHS number is {n} if you need to check my notes.", [(n, "nhs number")]


def t_hospital_number():
    h = hospital_number()
    return f"Hospital number {h}: my letter had the wrong clinic on it.", [(h, "hospital number")]


def t_hospital_number_bare():
    h = hospital_number()
    return f"Ref {h} - still waiting for results after six weeks.", [(h, "hospital number")]


def t_dob():
    d = dob()
    return f"My date of birth is {d} and they still got it wrong on the wristband.", [(d, "date of birth")]


def t_born():
    d = dob()
    return f"Mum (born {d}) was left without water all afternoon.", [(d, "date of birth")]


def t_dob_short():
    d = dob()
    return f"DOB {d}. Waited four hours for pain relief.", [(d, "date of birth")]


def t_address():
    a = address()
    pc = rng.choice(POSTCODES)
    return f"Letters keep going to {a}, {rng.choice(TOWNS)} {pc} instead of my new home.", [
        (a, "address"),
        (pc, "postcode"),
    ]


def t_address_flat():
    a = address()
    return f"I live at Flat {rng.randint(1, 20)}, {a} and transport never found it.", [(a, "address")]


def t_email():
    e = email()
    return f"Email me at {e} with the outcome please.", [(e, "email")]


def t_postcode():
    pc = rng.choice(POSTCODES)
    return f"Transport went to the wrong postcode, it is {pc} not the old one.", [(pc, "postcode")]


def t_mixed():
    n, p = titled(), phone()
    return f"Dr {n} said she would ring {p} with my results but never did.", [(n, "name"), (p, "phone")]


def t_mixed_relative():
    n, h = rng.choice(FIRST), hospital_number()
    return f"my husband {n} ({h}) was discharged without his tablets.", [(n, "name"), (h, "hospital number")]


TEMPLATES = [
    t_title,
    t_title_two,
    t_role_lower,
    t_role_mid,
    t_relative,
    t_relative_comma,
    t_my_name,
    t_called,
    t_thanks,
    t_phone,
    t_phone_two,
    t_nhs,
    t_hospital_number,
    t_hospital_number_bare,
    t_dob,
    t_born,
    t_dob_short,
    t_address,
    t_address_flat,
    t_email,
    t_postcode,
    t_mixed,
    t_mixed_relative,
]

# Written by hand after the patterns, and scored without changing them: a held-out check that the
# generated comments above do not flatter the redactor (ids H…; see benchmarks/redaction.py).
HAND = [
    ("Sister Mary-Jane O'Connor was an angel on nights", ["Mary-Jane O'Connor"]),
    ("my lovely nurse Beth held my hand in recovery", ["Beth"]),
    ("Nurse Jo and Dr Ng were fantastic", ["Jo", "Ng"]),
    ("The HCA, Precious, noticed I was in pain before anyone else", ["Precious"]),
    ("my other half Dave was sent home at 8pm and not called back", ["Dave"]),
    ("Mr Li the surgeon was clear about the risks", ["Li"]),
    ("phone 0161-496-0000 if there is a problem", ["0161-496-0000"]),
    ("mobile:07700900123 - please text rather than call", ["07700900123"]),
    ("DOB: 1/2/43, the wristband said 1943 was wrong year", ["1/2/43"]),
    ("date of birth 01.02.1943 was typed as 1934 on my letter", ["01.02.1943"]),
    ("NHS no 485 777 3456, please check why my referral was lost", ["485 777 3456"]),
    ("hospital no: 1234567 - my notes were not on the ward", ["1234567"]),
    ("I'm at 7a Church Street now, not the old address", ["7a Church Street"]),
    ("post went to flat 2 44 Kings Road by mistake", ["44 Kings Road"]),
    ("my neighbour Mrs Evans drove me in as the ambulance never came", ["Evans"]),
    ("Thank you Dr. Adebayo-Smith for your patience", ["Adebayo-Smith"]),
    ("physio Tomasz got me walking after two days", ["Tomasz"]),
    ("Our son, Leo, was frightened and the play team helped", ["Leo"]),
    ("my wife Jean (born 12 Feb 1940) waited 7 hours on a trolley", ["Jean", "12 Feb 1940"]),
    ("Staff Nurse MacKenzie was rude to my daughter", ["MacKenzie"]),
    ("Write to me at jo_b@example.net, I do not use the phone", ["jo_b@example.net"]),
    ("I am called Bernadette and I have been in four times this year", ["Bernadette"]),
    ("The midwife, Anya Petrova, was calm and kind throughout", ["Anya Petrova"]),
    ("Prof. Rahman explained the scan results in plain English", ["Rahman"]),
    ("Matron D'Arcy sorted out the mix-up in ten minutes", ["D'Arcy"]),
    ("ring my daughter on 020 7946 0123 if I am not at home", ["020 7946 0123"]),
    ("ref no. AV123456 was on the letter but nobody could find it", ["AV123456"]),
    ("left at 33 Mill Hill Lane by the transport crew", ["33 Mill Hill Lane"]),
    ("my postcode is LS6 2QP and the taxi went to LS2", ["LS6 2QP"]),
    ("Thanks to Femi on reception for sorting my parking", ["Femi"]),
]

ORDINARY = [
    "The staff on Ward 7 were brilliant from start to finish.",
    "Nurse was kind but the food was cold.",
    "The Sister on duty made sure I was comfortable.",
    "Macmillan nurses were a great support to the whole family.",
    "I waited 3 hours in bay 12 on 12/03 before anyone came.",
    "Thank you to everyone in A&E on Saturday night.",
    "The Matron was visible and listened to our concerns.",
    "Room 101 was too hot and the window would not open.",
    "Parking cost £12 for a four hour visit which is too much.",
    "Doctors explained my operation clearly and answered every question.",
    "The discharge lounge was quiet and the porters were friendly.",
    "Physiotherapy on Tuesday and Thursday helped me walk again.",
    "St John Ambulance volunteers were helpful at the entrance.",
    "The Women's and Children's unit was spotless.",
    "Very good care, thank you NHS.",
    "My son and daughter could visit every day which helped.",
    "The consultant saw me at 9am as promised.",
    "Level 2 signs were confusing and I got lost twice.",
    "Call bells took 20 minutes to be answered at night.",
    "Staff Nurse training is clearly excellent here.",
    "Cardiology clinic ran 45 minutes late with no explanation.",
    "Thanks to the Kingfisher Ward team for looking after Dad.",
    "Mother and baby unit felt safe and calm.",
    "We were called back after 2 weeks which was quicker than expected.",
    "Bed 4 had a broken light for the whole stay.",
    "Christmas Day on the ward was made special by the staff.",
    "I was in Maple Ward from 3 to 10 March and every day was good.",
    "The HCA team worked so hard even when short staffed.",
    "Pharmacy took 6 hours to sort my tablets out.",
    "Friendly, clean, efficient. 10 out of 10.",
    "The new Outpatients building on Park Road is much better.",
    "Dr and nurses were rushed but still kind.",
    "Waiting area had no water and the TV was too loud.",
    "Smoking outside the Main Entrance should be stopped.",
    "I rated it Good because the care was good but the wait was long.",
    "Discharge letter arrived on 14/11 which was quick.",
    "My partner was allowed to stay overnight, thank you.",
    "Ward 21B needs more staff at weekends.",
    "The Chaplaincy service was a comfort to my family.",
    "Called the switchboard and was put through straight away.",
]


def main() -> None:
    rows = []
    for i in range(180):
        text, ids = TEMPLATES[i % len(TEMPLATES)]()
        rows.append((f"P{i + 1:03d}", text, ids))
    for h, (text, ids) in enumerate(HAND):
        rows.append((f"H{h + 1:03d}", text, [(i, "hand") for i in ids]))
    for j, text in enumerate(ORDINARY):
        rows.append((f"O{j + 1:03d}", text, []))
    with open(HERE / "comments.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["comment_id", "text", "identifiers", "kinds"])
        for cid, text, ids in rows:
            for ident, _ in ids:
                assert ident in text, (cid, ident, text)
            w.writerow([cid, text, json.dumps([i for i, _ in ids]), json.dumps([k for _, k in ids])])


if __name__ == "__main__":
    main()
