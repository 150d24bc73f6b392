"""The communities of England: each one's share of people, the shape of its name lists, and the regions
(with their real outward codes) where it lives."""

from __future__ import annotations

from typing import NamedTuple


class Community(NamedTuple):
    """A community of England: its share of people, the shape of its name lists and where it lives."""

    name: str
    share: float  # percent of people
    surname_q: float  # Zipf-Mandelbrot offset: P(rank r) is proportional to (r + q) ** -ZIPF_S
    surname_ranks: int  # distinct surnames in the community; those beyond the list come from the tail
    forename_q: float
    settlement: str  # key of SETTLEMENT
    names_from: str = ""  # another community's lists (people of mixed or other heritage: English names)
    tail: str = ""  # "parts": composed from tail_start + tail_end; "male": male forenames (patronymics)
    parts_from: str = ""


# Shares: the 2021 census for England, as in issue 7. Other white (continental European) is what remains of
# "other white" after the Eastern Europeans; people of mixed or other heritage mostly have English names.
COMMUNITIES: tuple[Community, ...] = (
    Community("white_british", 74.0, 6, 300_000, 10, "england", tail="parts"),
    Community("irish", 1.0, 4, 20_000, 5, "irish", tail="parts", parts_from="white_british"),
    Community("polish", 1.5, 8, 20_000, 4, "eastern_european", tail="parts"),
    Community("romanian", 1.0, 5, 5_000, 4, "eastern_european", tail="parts"),
    Community("lithuanian", 0.5, 6, 5_000, 4, "eastern_european", tail="parts"),
    Community("pakistani", 3.0, 2, 500, 3, "pakistani", tail="male"),
    Community("indian_sikh", 1.0, 0.5, 0, 3, "indian"),
    Community("indian_gujarati", 1.2, 0.3, 0, 3, "indian"),
    Community("indian_hindu", 0.8, 2, 0, 3, "indian"),
    Community("bangladeshi", 1.0, 1, 400, 2, "bangladeshi", tail="male"),
    Community("nigerian", 1.2, 6, 5_000, 4, "black", tail="parts"),
    Community("ghanaian", 0.5, 3, 0, 3, "black"),
    Community("somali", 0.8, 2, 300, 2, "black", tail="male"),
    Community("black_caribbean", 1.0, 4, 20_000, 5, "black", tail="parts", parts_from="white_british"),
    Community("chinese", 0.8, 2, 0, 4, "cities"),
    Community("arab", 0.5, 3, 300, 2, "cities", tail="male"),
    Community("turkish_kurdish", 0.5, 4, 3_000, 3, "cities", tail="parts"),
    Community("other_white", 3.5, 6, 0, 6, "cities"),
    Community("mixed_or_other", 6.2, 6, 300_000, 10, "england", "white_british", "parts", "white_british"),
)

# Real outward codes, by region.
REGIONS: dict[str, str] = {
    "london": "E1 E2 E3 E6 E7 E13 E14 E17 N1 N7 N15 N17 NW1 NW10 SE1 SE5 SE15 SE18 SW2 SW9 SW11 SW16 W2 W3 "
    "W12 UB1 UB3 HA0 HA9 IG1 IG3 CR0 CR7 EN1 RM1 TW3 BR1 DA1 KT1 SM1",
    "south_east": "SL1 SL2 HP11 HP13 HP19 MK1 MK9 RG1 RG30 OX1 OX4 GU1 BN1 BN2 ME1 CT1 PO1 SO14 SO15 RH10 "
    "TN1",
    "north_west": "M8 M13 M14 M16 M19 M20 M40 OL1 OL8 OL9 BL1 BL3 BB1 BB2 BB9 PR1 L1 L8 L15 WA1 WN1 SK1 CH1 "
    "CA1 LA1",
    "east": "LU1 LU2 LU3 LU4 CB1 NR1 NR2 IP1 CO1 CM1 SS1 PE1 PE21 SG1 AL1 WD17",
    "west_midlands": "B6 B8 B9 B10 B11 B12 B19 B20 B21 B23 B29 B44 B66 B70 B71 WV1 WV2 WV10 WS1 WS2 CV1 CV2 "
    "CV6 DY1 DY4 ST1 TF1 WR1 HR1",
    "south_west": "BS1 BS2 BS5 BS16 EX1 EX4 PL1 PL4 TA1 BA1 GL1 SN1 BH1 TR1",
    "yorkshire": "BD1 BD3 BD5 BD7 BD8 BD9 HD1 HD2 HX1 LS4 LS6 LS8 LS9 LS11 S1 S2 S4 S63 S65 WF1 WF13 HU1 HU5 "
    "YO1 DN1",
    "east_midlands": "LE1 LE2 LE4 LE5 NG1 NG3 NG7 DE1 DE23 NN1 NN5 LN1",
    "north_east": "NE1 NE4 NE6 SR1 TS1 TS5 DH1 DL1",
}
# Where each community lives: weights in the order of REGIONS (from the census, rounded).
SETTLEMENT: dict[str, tuple[float, ...]] = {
    "england": (15.5, 16.4, 13.1, 11.2, 10.5, 10.1, 9.7, 8.6, 4.7),
    "irish": (25, 14, 15, 8, 12, 8, 7, 7, 4),
    "eastern_european": (25, 14, 9, 16, 10, 6, 8, 11, 1),
    "pakistani": (18, 8, 21, 6, 21, 1.5, 20, 3.5, 1),
    "bangladeshi": (45, 7, 11, 8, 12, 2, 5, 4, 3),
    "indian": (35, 12, 6, 7, 17, 2, 4, 16, 1),
    "black": (55, 8, 8, 9, 10, 4, 3, 3, 1),
    "cities": (40, 15, 9, 9, 7, 7, 5, 5, 3),
}
