"""Name normalisation: every rule that makes two ways of writing one name agree (and nothing more)."""

from __future__ import annotations

import pytest

from openmash.matching.normalise import (
    fold,
    forename_key,
    joined,
    phonetic,
    phonetic_codes,
    tokens,
    variant_groups,
    variant_table,
)


@pytest.mark.parametrize(
    ("written", "folded"),
    [
        ("Hüseyin Yılmaz", "huseyin yilmaz"),
        ("İSMAİL", "ismail"),
        ("Çelik", "celik"),
        ("Ayşe", "ayse"),
        ("Doğan", "dogan"),
        ("Łukasz Wałęsa", "lukasz walesa"),
        ("Małgorzata Wójcik", "malgorzata wojcik"),
        ("Straße", "strasse"),
        ("Æthelred", "aethelred"),
        ("Søren Ødegård", "soren odegard"),
        ("Håkon", "hakon"),
        ("Đorđe Đoković", "dorde dokovic"),
        ("Þórunn", "thorunn"),
        ("Œdipe", "oedipe"),
        ("José Müller Éloïse", "jose muller eloise"),
        ("Ştefan Ţurcanu", "stefan turcanu"),
        ("Siobhán Ní Bhriain", "siobhan ni bhriain"),
        ("Nguyễn Thị Hương", "nguyen thi huong"),
    ],
)
def test_fold_transliterates_accents_and_other_latin_letters(written: str, folded: str) -> None:
    assert fold(written) == folded


@pytest.mark.parametrize(
    ("letter", "plain"),
    [
        ("ı", "i"), ("İ", "i"), ("ł", "l"), ("Ł", "l"), ("ß", "ss"), ("ẞ", "ss"), ("æ", "ae"), ("Æ", "ae"),
        ("ø", "o"), ("Ø", "o"), ("œ", "oe"), ("đ", "d"), ("Đ", "d"), ("ð", "d"), ("þ", "th"), ("Þ", "th"),
        ("ħ", "h"), ("ŧ", "t"), ("ŀ", "l"), ("ĸ", "k"), ("ŋ", "ng"), ("ſ", "s"), ("ə", "e"), ("å", "a"),
        ("ç", "c"), ("ş", "s"), ("ğ", "g"), ("ñ", "n"), ("ő", "o"), ("ű", "u"), ("ą", "a"), ("ę", "e"),
        ("ż", "z"), ("ź", "z"), ("ń", "n"), ("ś", "s"), ("ć", "c"), ("ó", "o"), ("ă", "a"), ("ț", "t"),
    ],
)  # fmt: skip
def test_fold_transliterates_each_letter(letter: str, plain: str) -> None:
    assert fold(f"a{letter}a") == f"a{plain}a"


@pytest.mark.parametrize(
    ("written", "folded"),
    [
        ("Александр Сергеевич", "aleksandr sergeevich"),
        ("Йозеф Щукин", "yozef shchukin"),
        ("Юлія", "yuliya"),
        ("Μαρία Παπαδοπούλου", "maria papadopoulou"),
        ("Γιώργος Θεοδώρου", "giorgos theodorou"),
    ],
)
def test_fold_transliterates_greek_and_cyrillic(written: str, folded: str) -> None:
    assert fold(written) == folded


@pytest.mark.parametrize(
    ("written", "folded"),
    [
        ("O'Brien", "obrien"),
        ("D’Souza", "dsouza"),
        ("N‘Diaye", "ndiaye"),
        ("Smith-Jones", "smith jones"),
        ("St. John", "st john"),
        ("Smith, John", "smith john"),
        ("  Mary   Ann  ", "mary ann"),
        ("J.R.", "j r"),
    ],
)
def test_fold_drops_apostrophes_and_splits_on_other_punctuation(written: str, folded: str) -> None:
    assert fold(written) == folded


@pytest.mark.parametrize(
    ("written", "folded"),
    [
        ("Mr John Smith", "john smith"),
        ("Mrs. Jones", "jones"),
        ("Dr Ms Amina Begum", "amina begum"),
        ("Miss Kayleigh", "kayleigh"),
        ("Prof Rev Smith", "smith"),
        ("Sir Mo Farah", "mo farah"),
        ("Lady Jane", "jane"),
        ("Mx Sam", "sam"),
    ],
)
def test_fold_drops_titles(written: str, folded: str) -> None:
    assert fold(written) == folded


@pytest.mark.parametrize("surname", ["Lord", "Master", "Lady", "Sir"])
def test_a_surname_that_is_also_a_title_is_kept(surname: str) -> None:
    assert fold(surname) == surname.lower()
    assert fold(f"James {surname}") == f"james {surname.lower()}"


def test_tokens_split_the_folded_name() -> None:
    assert tokens("Kayleigh-Ann O'Neill") == ["kayleigh", "ann", "oneill"]
    assert tokens("") == []
    assert tokens(" - ") == []


@pytest.mark.parametrize(
    "written", ["McDonald", "Mc Donald", "MacDonald", "Mac Donald", "mac-donald", "MCDONALD"]
)
def test_joined_unifies_mc_and_mac_and_spacing(written: str) -> None:
    assert joined(written) == "macdonald"


def test_joined_removes_spaces_and_hyphens() -> None:
    assert joined("Abdul Rahman") == joined("Abdulrahman") == joined("Abdul-Rahman") == "abdulrahman"
    assert joined("Mary Ann") == joined("Maryann")
    assert joined("Ann McKenzie-Smith") == "annmackenziesmith"


def test_joined_keeps_other_mac_names() -> None:
    assert joined("Mack") == "mack"
    assert joined("Macey") == "macey"


def test_phonetic_is_the_double_metaphone_of_the_joined_name() -> None:
    assert phonetic("Khan") == phonetic("Kahn") == "KN"
    assert phonetic("Smith") == phonetic("Smyth")
    assert phonetic("Mc Donald") == phonetic("MacDonald")
    assert phonetic("") == ""
    assert phonetic_codes("Smith") == ("SM0", "XMT")


@pytest.mark.parametrize(
    ("names", "key"),
    [
        (
            ["Mohammed", "Muhammad", "Mohamed", "Mohammad", "Muhammed", "Mohd", "Md", "Mahomed", "Mehmet"],
            "g:mohammed",
        ),
        (["William", "Bill", "Billy", "Will", "Liam"], "g:william"),
        (["Piotr", "Peter", "Pete"], "g:peter"),
        (["Hussein", "Hüseyin", "Hussain", "Husain", "Hossain"], "g:hussein"),
        (["Abdul Rahman", "Abdulrahman", "Abdur Rahman", "Abdurrahman"], "g:abdulrahman"),
        (["Yusuf", "Yousef", "Yousuf", "Youssef"], "g:yusuf"),
        (["Katarzyna", "Kasia"], "g:katarzyna"),
        (["Oluwaseun", "Seun"], "g:oluwaseun"),
        (["Seán", "Sean"], "g:john"),
    ],
)
def test_forename_key_is_shared_by_a_variant_group(names: list[str], key: str) -> None:
    assert {forename_key(name) for name in names} == {key}


def test_forename_key_prefers_the_group_a_name_heads() -> None:
    assert forename_key("Joseph") == "g:joseph"  # also in the Yusuf group, but heads its own
    assert forename_key("Ibrahim") == "g:ibrahim"


def test_forename_key_falls_back_to_the_sound_of_an_unknown_name() -> None:
    assert forename_key("Oyelaran") == "p:" + phonetic("Oyelaran")
    assert forename_key("Jaxon") == forename_key("Jackson") == "p:JKSN"
    assert forename_key("") == ""


def test_variant_groups_hold_every_group_of_a_name() -> None:
    assert {"joseph", "yusuf"} <= variant_groups("Joseph")
    assert {"christopher", "christine", "christian"} <= variant_groups("Chris")
    assert variant_groups("Mohammed") & variant_groups("Muhammad")
    assert not variant_groups("Mohammed") & variant_groups("Ahmed")
    assert variant_groups("Oyelaran") == frozenset()


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Robert", "Bob"),
        ("Richard", "Dick"),
        ("Margaret", "Peggy"),
        ("Elizabeth", "Betty"),
        ("Katherine", "Catherine"),
        ("Anthony", "Tony"),
        ("Edward", "Ned"),
        ("Alexander", "Sandy"),
        ("Rebecca", "Becky"),
        ("Kayleigh", "Kaylee"),
        ("Ibrahim", "Abraham"),
        ("Suleiman", "Solomon"),
        ("Yakub", "Jacob"),
        ("Jakub", "Kuba"),
        ("Osman", "Uthman"),
        ("Fatima", "Fatma"),
        ("Aisha", "Ayşe"),
        ("Khadija", "Hatice"),
        ("Zainab", "Zeynep"),
        ("Mariam", "Mary"),
        ("Krzysztof", "Christopher"),
        ("Małgorzata", "Gosia"),
        ("Padraig", "Paddy"),
        ("Seamus", "James"),
        ("Chukwuemeka", "Emeka"),
        ("Temitope", "Tope"),
        ("Chen", "Chan"),
    ],
)
def test_the_table_knows_names_across_communities(one: str, other: str) -> None:
    assert variant_groups(one) & variant_groups(other)


def test_the_table_is_large_and_every_entry_is_already_normalised() -> None:
    table = variant_table()
    canonicals = {c for holders in table.values() for c in holders}
    assert len(canonicals) >= 150
    assert all(name == joined(name) and name for name in table)
