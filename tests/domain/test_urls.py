"""Links people paste: one strict reading, refusing anything two parsers could read two ways."""

import pytest

from imr_bot.domain.errors import DomainError
from imr_bot.domain.urls import (
    HTTPS_ONLY,
    MAX_LINK_LENGTH,
    BadLink,
    document_link,
    host_allowed,
    looks_like_link,
    parse_hosts,
    parse_https,
)

COUNCIL = ("derbyshire.sharepoint.com", "derbyshire-my.sharepoint.com")

# Share links as SharePoint and OneDrive give them (Share, Copy link; the address bar; a folder).
LEGITIMATE = [
    "https://derbyshire.sharepoint.com/:w:/r/sites/CSPR/Shared%20Documents/IMR%20report.docx"
    "?d=w1234abcd&csf=1&web=1&e=AbC123",
    "https://derbyshire-my.sharepoint.com/:x:/g/personal/arun_author_derbyshire_gov_uk/"
    "EXaBcDeFgHiJkLmNoPqRsTuBvWxYz?e=4fGh5J",
    "https://derbyshire-my.sharepoint.com/:w:/g/personal/arun_author_derbyshire_gov_uk/"
    "EdQ2abcDEF_ghi-JKL?e=Zz9Yy8",
    "https://derbyshire.sharepoint.com/sites/ChildrensServices/Shared%20Documents/IMR/"
    "Chronology%20v2.docx",
    "https://derbyshire.sharepoint.com/:b:/s/CSPR/EbcdEFGH12345?e=abc",
    "https://derbyshire.sharepoint.com/:w:/p/arun_author/EdQ2abc",
    "https://derbyshire.sharepoint.com/sites/CSPR/_layouts/15/Doc.aspx?sourcedoc=%7B1234ABCD-"
    "12AB-34CD-56EF-1234567890AB%7D&file=IMR%20report.docx&action=default&mobileredirect=true",
    "https://derbyshire.sharepoint.com/sites/CSPR/Shared%20Documents/Forms/AllItems.aspx"
    "?id=%2Fsites%2FCSPR%2FShared%20Documents%2FReport%2Edocx&parent=%2Fsites%2FCSPR",
    "https://derbyshire.sharepoint.com/:f:/r/sites/CSPR/Shared%20Documents/IMR?csf=1&web=1",
    "https://derbyshire.sharepoint.com/sites/CSPR/Shared%20Documents/R%C3%A9ponse%20(v2).docx",
    "https://DERBYSHIRE.SharePoint.com/:w:/r/sites/CSPR/Shared%20Documents/report.docx",
    "https://derbyshire.sharepoint.com/:w:/r/sites/CSPR/Shared%20Documents/report.docx#page=2",
]
ELSEWHERE_MICROSOFT = [
    "https://onedrive.live.com/?cid=ABC123&id=ABC123%21105&authkey=%21AbCdEf",
    "https://1drv.ms/w/s!AbCdEfGh12345",
    "https://othertenant.sharepoint.com/:w:/r/sites/x/Shared%20Documents/report.docx",
    "https://othertenant-my.sharepoint.com/:x:/g/personal/someone/EXabc?e=1",
]

# Every class of link that different parsers read differently, and links to elsewhere.
ATTACKS = {
    "backslash": [
        "https://evil.com\\@derbyshire.sharepoint.com/",
        "https:\\\\evil.com",
        "https:\\\\evil.com\\derbyshire.sharepoint.com\\x.docx",
        "https://derbyshire.sharepoint.com\\@evil.com/",
        "https://evil.com\\.sharepoint.com/x.docx",
        "https:/\\evil.com/derbyshire.sharepoint.com",
    ],
    "user-info": [
        "https://derbyshire.sharepoint.com@evil.com/",
        "https://derbyshire.sharepoint.com:pass@evil.com/report.docx",
        "https://someone@derbyshire.sharepoint.com/report.docx",
        "https://evil.com%40derbyshire.sharepoint.com/",
        "https://derbyshire.sharepoint.com%2540evil.com/",
        "https://derbyshire.sharepoint.com&@evil.com#@derbyshire.sharepoint.com/",
    ],
    "encoding": [
        "https://derbyshire%2esharepoint.com/",
        "https://evil.com%2F.sharepoint.com/",
        "https://derbyshire.sharepoint.com/%2e%2e/%2e%2e/evil",
        "https://derbyshire.sharepoint.com/sites/x/%2E%2E/y.docx",
        "https://derbyshire.sharepoint.com/report%00.docx",
        "https://derbyshire.sharepoint.com/report.docx%0d%0aSet-Cookie:x=1",
        "https://derbyshire.sharepoint.com/a%zz.docx",
        "https://derbyshire.sharepoint.com/a%2.docx",
        "https://derbyshire.sharepoint.com/%252e%252e/x",
        "https://derbyshire.sharepoint.com/sites/../../evil",
        "https://derbyshire.sharepoint.com/./report.docx",
        "https://derbyshire.sharepoint.com//evil.com/x",
        "https://derbyshire.sharepoint.com/a%5cb.docx",
        "https://derbyshire.sharepoint.com/a%2fb.docx",
        "https://derbyshire.sharepoint.com/report.docx?x=%00",
        "https://derbyshire.sharepoint.com/r.docx?next=%0Ahttps://evil.com",
    ],
    "international names": [
        "https://xn--drbyshire-x6a.sharepoint.com/report.docx",
        "https://derbyshire.xn--sharepint-8ya.com/",
        "https://dеrbyshire.sharepoint.com/report.docx",  # a Cyrillic е
        "https://derbyshire．sharepoint．com/report.docx",  # fullwidth dots
        "https://derbyshire。sharepoint。com/",  # ideographic full stops
        "https://evil.com\u2024sharepoint.com/",  # one dot leader
        "https://derbyshire.sharepoint.com/r\u00e9ponse.docx",  # unencoded letters in the path
    ],
    "trailing dots": [
        "https://derbyshire.sharepoint.com./report.docx",
        "https://derbyshire.sharepoint.com../",
        "https://evil.com./.sharepoint.com",
        "https://derbyshire..sharepoint.com/",
        "https://.derbyshire.sharepoint.com/",
    ],
    "ports": [
        "https://derbyshire.sharepoint.com:443/report.docx",
        "https://derbyshire.sharepoint.com:8443/",
        "https://evil.com:443#.sharepoint.com",
        "https://derbyshire.sharepoint.com:/x.docx",
        "https://derbyshire.sharepoint.com:0x1bb/x",
    ],
    "schemes": [
        "http://derbyshire.sharepoint.com/report.docx",
        "HTTPS://derbyshire.sharepoint.com/report.docx",
        "hTTps://derbyshire.sharepoint.com/report.docx",
        "javascript:alert(1)//derbyshire.sharepoint.com",
        "https:/derbyshire.sharepoint.com/report.docx",
        "https:derbyshire.sharepoint.com/report.docx",
        "https:///derbyshire.sharepoint.com/report.docx",
        "//derbyshire.sharepoint.com/report.docx",
        "data:text/html,https://derbyshire.sharepoint.com",
        "file://derbyshire.sharepoint.com/report.docx",
        "derbyshire.sharepoint.com/report.docx",
        "ftp://derbyshire.sharepoint.com/report.docx",
    ],
    "whitespace and control characters": [
        "https://derbyshire.sharepoint.com /report.docx",
        "https://derbyshire.sharepoint.com\t@evil.com/",
        "https://derbyshire.sharepoint.com\x00.evil.com/",
        "https://derbyshire.sharepoint.com\u200b@evil.com",
        "\u202ehttps://derbyshire.sharepoint.com/xcod.docx",
        " https://derbyshire.sharepoint.com/report.docx",
        "https://derbyshire.sharepoint.com/report.docx\n",
        "https://derbyshire.sharepoint.com/report.docx\x7f",
        "https://derbyshire.sharepoint.com/\x1breport.docx",
    ],
    "hosts that are not names": [
        "https://127.0.0.1/report.docx",
        "https://2130706433/",
        "https://0x7f.0.0.1/",
        "https://[::1]/report.docx",
        "https://[::ffff:169.254.169.254]/",
        "https://derbyshire.sharepoint.com;evil.com/",
        "https://derbyshire_sharepoint.com/",
        "https://-derbyshire.sharepoint.com/",
        "https://derbyshire.sharepoint.com<script>/",
        "https://derbyshire.sharepoint.com/\"onmouseover=alert(1)",
        "https://derbyshire.sharepoint.com/{x}|y^`",
        "https://localhost/report.docx",
        "https:// /",
        "",
    ],
    "other hosts": [
        "https://evil.com#@derbyshire.sharepoint.com/",
        "https://evil.com?.sharepoint.com",
        "https://evilsharepoint.com/report.docx",
        "https://derbyshire.sharepoint.com.evil.com/report.docx",
        "https://sharepoint.com.evil.com/",
        "https://derbyshire.sharepoint.co/report.docx",
        "https://sharepoint.com/report.docx",
        "https://onedrive.live.com.evil.com/",
        "https://evil1drv.ms/x",
    ],
    "size": [
        "https://derbyshire.sharepoint.com/" + "a" * MAX_LINK_LENGTH,
    ],
}
EVERY_ATTACK = [(kind, url) for kind, urls in ATTACKS.items() for url in urls]


def test_the_corpus_is_broad():
    assert len(EVERY_ATTACK) >= 40 and len(LEGITIMATE) >= 10


@pytest.mark.parametrize("url", LEGITIMATE)
def test_a_share_link_from_the_organisations_sharepoint_is_accepted(url):
    for hosts in ((), COUNCIL):
        link = document_link(url, hosts)
        assert link.host in COUNCIL
        assert link.url.lower() == url.lower()


@pytest.mark.parametrize("url", ELSEWHERE_MICROSOFT)
def test_other_microsoft_hosts_pass_only_while_the_organisation_names_none(url):
    assert document_link(url).url == url
    with pytest.raises(BadLink, match="organisation's own SharePoint"):
        document_link(url, COUNCIL)


@pytest.mark.parametrize(("kind", "url"), EVERY_ATTACK)
def test_an_ambiguous_or_foreign_link_is_refused_with_a_reason(kind, url):
    for hosts in ((), COUNCIL):
        with pytest.raises(BadLink) as refused:
            document_link(url, hosts)
        assert isinstance(refused.value, DomainError)
        assert str(refused.value).startswith(("That link was refused: ", "Links must"))


@pytest.mark.parametrize("url", [
    "http://derbyshire.sharepoint.com/report.docx", "HTTPS://derbyshire.sharepoint.com/x",
    "https:derbyshire.sharepoint.com/x", "ftp://derbyshire.sharepoint.com/x"])
def test_a_link_without_https_is_told_to_start_with_https(url):
    with pytest.raises(BadLink) as refused:
        parse_https(url)
    assert str(refused.value) == HTTPS_ONLY
    assert "Links must start with https://" in HTTPS_ONLY


def test_the_refusal_names_what_is_wrong():
    def reason(url):
        with pytest.raises(BadLink) as refused:
            parse_https(url)
        return str(refused.value)

    assert "user name before the host" in reason("https://derbyshire.sharepoint.com@evil.com/")
    assert "port" in reason("https://derbyshire.sharepoint.com:443/")
    assert "backslash" in reason("https://evil.com\\@derbyshire.sharepoint.com/")
    assert "ends with a dot" in reason("https://derbyshire.sharepoint.com./")
    assert "punycode" in reason("https://xn--80ak6aa92e.com/")
    assert "plain ASCII" in reason("https://derbyshire．sharepoint．com/")


def test_a_link_keeps_its_path_and_query_and_reads_its_host_in_lower_case():
    link = parse_https("https://Derbyshire.SharePoint.com/:w:/r/sites/A/B%20C.docx?e=Ab#x")
    assert (link.host, link.path, link.query, link.fragment) == (
        "derbyshire.sharepoint.com", "/:w:/r/sites/A/B%20C.docx", "e=Ab", "x")
    assert link.url == "https://derbyshire.sharepoint.com/:w:/r/sites/A/B%20C.docx?e=Ab#x"


def test_a_links_filename_is_its_last_path_part_decoded():
    assert parse_https("https://a.sharepoint.com/sites/x/IMR%20report.docx?e=1").filename == \
        "IMR report.docx"
    assert parse_https("https://a.sharepoint.com/x/Chronology/").filename == "Chronology"
    assert parse_https("https://a.sharepoint.com").filename == "document"
    assert parse_https("https://a.sharepoint.com/%E2%80%AEcod.docx").filename == "cod.docx"


def test_host_settings_name_exact_hosts_or_every_host_under_a_name():
    patterns = parse_hosts(" Derbyshire.sharepoint.com, *.files.example.org .other.test ")
    assert patterns == ("derbyshire.sharepoint.com", ".files.example.org", ".other.test")
    assert host_allowed("derbyshire.sharepoint.com", patterns)
    assert not host_allowed("x.derbyshire.sharepoint.com", patterns)
    assert host_allowed("a.b.files.example.org", patterns)
    assert not host_allowed("files.example.org", patterns)
    assert not host_allowed("evilfiles.example.org", patterns)
    assert not host_allowed("files.example.org.evil.com", patterns)
    assert parse_hosts("") == ()


@pytest.mark.parametrize("entry", ["evil.com.", "http://a.com", "a.com:443", "user@a.com",
                                   "xn--80ak6aa92e.com", "127.0.0.1", "*", "*.", "a_b.com"])
def test_a_host_setting_that_is_not_a_host_name_is_refused(entry):
    with pytest.raises(ValueError, match="is not a host name"):
        parse_hosts(f"derbyshire.sharepoint.com,{entry}")


@pytest.mark.parametrize("word", [
    "https://x.sharepoint.com/a", "http://x", "HTTPS://x", "https:\\\\evil.com", "https:evil.com",
    "ftp://x", "x.sharepoint.com/a.docx", "www.evil.com", "javascript:alert(1)", "1drv.ms/x"])
def test_a_word_meant_as_a_link_is_checked_not_ignored(word):
    assert looks_like_link(word)


@pytest.mark.parametrize("word", ["cancel", "report.docx", "please", "v2", "10:30"])
def test_an_ordinary_word_is_not_taken_for_a_link(word):
    assert not looks_like_link(word)
