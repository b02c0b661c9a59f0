"""Files sent to the bot: checked before anything is fetched, fetched only from Teams' file hosts
at vetted public addresses, redirects vetted, bytes capped."""

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from botbuilder.schema import Attachment

from imr_bot.config import RefusedToStart, Settings
from imr_bot.teams.attachments import (
    TEAMS_FILE,
    FetchPolicy,
    RefusedFile,
    TeamsFile,
    TooLarge,
    check_before_fetch,
    download,
    is_public,
    teams_files,
    upload,
)
from tests.teams import test_approvals
from tests.teams.harness import AUTHOR, BUSINESS_SERVICES, texts
from tests.teams.test_approvals import REF
from tests.test_startup import SIGNED_IN

STRICT = FetchPolicy(hosts=(".sharepoint.com",))
LOCAL = FetchPolicy(hosts=(".sharepoint.com",), allow_loopback=True)
SHAREPOINT = "https://derbyshire-my.sharepoint.com/personal/arun/_layouts/15/download.aspx" \
             "?UniqueId=1150d938&Translate=false&tempauth=eyJ0eXAi.eyJhdWQi.sig&ApiVersion=2.0"

INNER = ["127.0.0.1", "127.8.9.10", "10.0.0.5", "172.16.3.4", "192.168.1.20", "169.254.169.254",
         "0.0.0.0", "100.64.0.1", "224.0.0.251", "255.255.255.255", "240.0.0.1", "192.0.2.10",
         "198.18.0.1", "::1", "::", "fe80::1", "fe80::1%eth0", "fd00::1", "fd12:3456::1",
         "fc00::1", "ff02::1", "::ffff:127.0.0.1", "::ffff:169.254.169.254", "::ffff:10.0.0.5",
         "::ffff:0.0.0.0", "64:ff9b::7f00:1", "64:ff9b::a9fe:a9fe", "2002:7f00:1::1",
         "2002:a9fe:a9fe::1", "::127.0.0.1", "2001:db8::1", "not an address", ""]
PUBLIC = ["13.107.136.9", "52.108.0.1", "8.8.8.8", "2603:1020:200::682f:a1d9", "2606:4700::1111"]


class Resolver:
    """Stands in for DNS: answers each name from a table, and counts the questions."""

    def __init__(self, answers):
        self.answers, self.asked = answers, []

    async def __call__(self, host, port):
        self.asked.append(host)
        answer = self.answers.get(host, [])
        if isinstance(answer, Exception):
            raise answer
        return answer


@pytest.fixture
async def files():
    """A file server on loopback that counts every request it is sent."""
    requests = []

    async def serve(request):
        requests.append(request.path)
        name = request.match_info["name"]
        if name == "big":
            return web.Response(body=b"x" * 5000)
        if name == "endless":
            response = web.StreamResponse()
            await response.prepare(request)
            for _ in range(100):
                await response.write(b"y" * 1024)
            return response
        return web.Response(body=b"PK " + name.encode())

    async def bounce(request):
        requests.append(request.path)
        raise web.HTTPFound(request.query.get("to", "/to"))  # no target: round and round

    async def receive(request):
        requests.append(request.path)
        return web.json_response({"size": len(await request.read())})

    app = web.Application()
    app.router.add_get("/f/{name}", serve)
    app.router.add_get("/to", bounce)
    app.router.add_put("/up", receive)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    server.requests = requests
    yield server
    await server.close()


def at(server, path: str, host: str = "127.0.0.1") -> str:
    return f"http://{host}:{server.port}{path}"


@pytest.mark.parametrize("address", INNER)
def test_an_inner_address_is_not_public(address):
    assert not is_public(address)


# addresses Python's `is_global` still calls global, yet no file server on the internet has
STILL_CALLED_GLOBAL = ["fec0::1", "fec0::a9fe:a9fe", "feff:ffff::1", "3fff::1", "3fff:fff::10",
                       "192.0.0.8", "192.0.0.170", "192.88.99.1", "3ffe:831f::1",
                       "::ffff:192.0.0.8", "fec0::1%eth0"]


@pytest.mark.parametrize("address", STILL_CALLED_GLOBAL)
def test_a_site_local_documentation_or_special_purpose_address_is_not_public(address):
    assert not is_public(address)


@pytest.mark.parametrize("address", PUBLIC)
def test_a_public_address_is_public(address):
    assert is_public(address)


@pytest.mark.parametrize("url", [
    SHAREPOINT.replace("https://", "http://"),
    "https://evil.com/report.docx",
    "https://derbyshire.sharepoint.com@evil.com/report.docx",
    "https://evil.com\\@derbyshire.sharepoint.com/report.docx",
    "https://derbyshire.sharepoint.com:8443/report.docx",
    "https://derbyshire.sharepoint.com./report.docx",
    "https://derbyshire.sharepoint.com.evil.com/report.docx",
    "https://169.254.169.254/latest/meta-data/",
    "https://[::ffff:169.254.169.254]/latest/meta-data/",
    "file:///etc/passwd",
    "ftp://derbyshire.sharepoint.com/report.docx",
    "https://derbyshire.sharepoint.com/%2e%2e/report.docx",
    "",
])
async def test_a_url_outside_the_teams_file_hosts_is_refused_without_a_lookup(url):
    resolver = Resolver({})
    with pytest.raises(RefusedFile, match="only fetch files that Teams keeps"):
        await download(url, 1000, STRICT, resolve=resolver)
    assert resolver.asked == []


@pytest.mark.parametrize("addresses", [["10.0.0.5"], ["169.254.169.254"], ["127.0.0.1"],
                                       ["::ffff:127.0.0.1"], ["fd00::1"], ["0.0.0.0"], ["::1"],
                                       ["13.107.136.9", "10.0.0.5"], []])
async def test_a_teams_file_host_that_resolves_inside_is_refused(addresses):
    resolver = Resolver({"derbyshire-my.sharepoint.com": addresses})
    with pytest.raises(RefusedFile):
        await download(SHAREPOINT, 1000, STRICT, resolve=resolver)
    assert resolver.asked == ["derbyshire-my.sharepoint.com"]


async def test_a_host_that_does_not_resolve_is_refused_plainly():
    resolver = Resolver({"derbyshire-my.sharepoint.com": OSError("no such host")})
    with pytest.raises(RefusedFile):
        await download(SHAREPOINT, 1000, STRICT, resolve=resolver)


async def test_a_file_on_this_machine_is_refused_unless_loopback_is_allowed(files):
    with pytest.raises(RefusedFile):
        await download(at(files, "/f/a"), 1000, STRICT)
    assert files.requests == []
    assert await download(at(files, "/f/a"), 1000, LOCAL) == b"PK a"


async def test_loopback_allowed_still_refuses_the_private_network_and_metadata():
    resolver = Resolver({"imr-test.localhost": ["10.0.0.5"]})
    for url in ("http://10.0.0.5/f/a", "http://169.254.169.254/latest/meta-data/",
                "http://[fd00::1]/f/a", "http://imr-test.localhost/f/a",
                "http://user@127.0.0.1.evil.com/f/a"):
        with pytest.raises(RefusedFile):
            await download(url, 1000, LOCAL, resolve=resolver)


async def test_the_bot_connects_to_the_address_it_vetted_not_to_a_second_lookup(files):
    # "imr-test.localhost" is known only to the stand-in: the request can only have gone to
    # the address the stand-in gave, and the name was looked up once
    resolver = Resolver({"imr-test.localhost": ["127.0.0.1"]})
    url = at(files, "/f/pinned", host="imr-test.localhost")
    assert await download(url, 1000, LOCAL, resolve=resolver) == b"PK pinned"
    assert resolver.asked == ["imr-test.localhost"]


async def test_a_redirect_to_an_inner_or_foreign_address_is_refused(files):
    for target in ("http://169.254.169.254/latest/meta-data/", "https://evil.com/x.docx",
                   "http://10.0.0.5/f/a", "file:///etc/passwd",
                   "https://derbyshire.sharepoint.com@evil.com/"):
        with pytest.raises(RefusedFile):
            await download(at(files, f"/to?to={target}"), 1000, LOCAL)


async def test_a_redirect_to_an_allowed_place_is_followed_a_few_times_at_most(files):
    assert await download(at(files, "/to?to=/f/moved"), 1000, LOCAL) == b"PK moved"
    files.requests.clear()
    with pytest.raises(RefusedFile, match="too many times"):
        await download(at(files, "/to"), 1000, LOCAL)
    assert len(files.requests) == 4  # the first request and three hops


async def test_bytes_are_capped_whether_or_not_the_length_is_declared(files):
    with pytest.raises(TooLarge):
        await download(at(files, "/f/big"), 4000, LOCAL)
    with pytest.raises(TooLarge):
        await download(at(files, "/f/endless"), 10_000, LOCAL)


async def test_the_file_consent_upload_is_vetted_like_a_download(files):
    await upload(at(files, "/up"), b"PK", {}, LOCAL)
    assert files.requests == ["/up"]
    for url in ("https://evil.com/up", at(files, "/up")):
        with pytest.raises(RefusedFile):
            await upload(url, b"PK", {}, STRICT)
    assert files.requests == ["/up"]


# -- checks before fetching ---------------------------------------------------------------
@pytest.mark.parametrize(("sent", "refusal"), [
    (TeamsFile("notes.txt", SHAREPOINT), RefusedFile),
    (TeamsFile("report.docx.exe", SHAREPOINT), RefusedFile),
    (TeamsFile("report", SHAREPOINT), RefusedFile),
    (TeamsFile("report.docx", SHAREPOINT, file_type="exe"), RefusedFile),
    (TeamsFile("../../report.docx", SHAREPOINT), RefusedFile),
    (TeamsFile("a\\report.docx", SHAREPOINT), RefusedFile),
    (TeamsFile("report\u202excod.docx", SHAREPOINT), RefusedFile),
    (TeamsFile("report\x00.docx", SHAREPOINT), RefusedFile),
    (TeamsFile("x" * 300 + ".docx", SHAREPOINT), RefusedFile),
    (TeamsFile("   ", SHAREPOINT), RefusedFile),
    (TeamsFile("report.docx", SHAREPOINT, declared_size=10_000), TooLarge),
])
def test_a_file_is_refused_by_its_name_type_or_declared_size_first(sent, refusal):
    with pytest.raises(refusal):
        check_before_fetch(sent, ("docx", "pdf"), 1000)


def test_a_file_whose_name_type_and_size_agree_may_be_fetched():
    sent = TeamsFile("IMR Report v2.DOCX", SHAREPOINT, file_type="docx", declared_size=900)
    assert check_before_fetch(sent, ("docx", "pdf"), 1000) == "docx"


def test_teams_files_reads_the_name_url_type_and_any_declared_size():
    class Message:
        attachments = [
            Attachment(content_type=TEAMS_FILE, name="r.docx",
                       content={"downloadUrl": SHAREPOINT, "fileType": "DOCX", "size": 12}),
            Attachment(content_type=TEAMS_FILE, name="c.pdf",
                       content={"downloadUrl": SHAREPOINT, "size": True}),
            Attachment(content_type=TEAMS_FILE, name="x.pdf", content={"downloadUrl": 7}),
            Attachment(content_type="image/png", content_url="https://evil.com/x.png")]
    assert teams_files(Message()) == [TeamsFile("r.docx", SHAREPOINT, "docx", 12),
                                      TeamsFile("c.pdf", SHAREPOINT, "", None)]


# -- settings -------------------------------------------------------------------------------
def test_attachment_hosts_default_to_the_councils_sharepoint_then_to_every_sharepoint():
    assert Settings().attachment_host_patterns == (".sharepoint.com",)
    council = Settings(sharepoint_hosts="derbyshire.sharepoint.com,derbyshire-my.sharepoint.com")
    assert council.attachment_host_patterns == ("derbyshire.sharepoint.com",
                                                "derbyshire-my.sharepoint.com")
    assert Settings(attachment_hosts="*.files.example.org").attachment_host_patterns == (
        ".files.example.org",)
    assert FetchPolicy.from_settings(Settings(attachments_from_loopback=True)).allow_loopback


def test_files_from_loopback_are_refused_when_signed_in():
    from imr_bot.app import build

    with pytest.raises(RefusedToStart, match="IMR_ATTACHMENTS_FROM_LOOPBACK"):
        build(Settings(scheduler=False, database_url="sqlite://", attachments_from_loopback=True,
                       **SIGNED_IN))


@pytest.mark.parametrize("field", ["sharepoint_hosts", "attachment_hosts"])
def test_a_host_setting_that_is_not_a_host_name_stops_the_bot_from_starting(field):
    from imr_bot.app import build

    with pytest.raises(RefusedToStart, match="is not a host name"):
        build(Settings(scheduler=False, database_url="sqlite://",
                       **{field: "derbyshire.sharepoint.com, https://evil.com:443/"}))


# -- through the chat ------------------------------------------------------------------------
midway = test_approvals.midway  # a review whose midway review is held (the fixture)


async def test_a_file_of_the_wrong_kind_is_refused_in_chat_without_being_fetched(midway, files):
    await midway.say(AUTHOR, f"imr submit {REF}")
    for name in ("notes.txt", "report.docx.exe", "report"):
        reply = texts(await midway.send_files(AUTHOR, [(name, at(files, f"/f/{name}"))]))
        assert "not a Word document (.docx) or a PDF" in reply
    assert files.requests == []


async def test_a_file_from_outside_sharepoint_is_refused_in_chat_and_changes_nothing(midway):
    await midway.say(AUTHOR, f"imr submit {REF}")
    for url in ("https://evil.com/report.docx", "http://169.254.169.254/latest/meta-data/",
                "https://derbyshire.sharepoint.com@evil.com/report.docx", "file:///etc/passwd"):
        reply = texts(await midway.send_files(AUTHOR, [("report.docx", url)]))
        assert "only fetch files that Teams keeps in SharePoint or OneDrive" in reply
        assert "Traceback" not in reply
    reply = texts(await midway.say(AUTHOR, f"imr submit {REF}"))
    assert "So far: nothing yet" in reply


async def test_a_template_upload_by_someone_who_may_not_is_refused_before_fetching(midway, files):
    reply = texts(await midway.send_files(AUTHOR, [("t.docx", at(files, "/f/t.docx"))],
                                          text=f"imr template upload {REF} imr"))
    assert "only Business Services" in reply
    reply = texts(await midway.send_files(BUSINESS_SERVICES, [("t.pdf", at(files, "/f/t.pdf"))],
                                          text=f"imr template upload {REF} imr"))
    assert "is not a .docx file" in reply
    assert files.requests == []


async def test_a_template_that_cannot_be_downloaded_is_said_plainly(midway, files):
    reply = texts(await midway.send_files(BUSINESS_SERVICES, [("t.docx", at(files, "/gone"))],
                                          text=f"imr template upload {REF} imr"))
    assert "I couldn't download “t.docx”" in reply.replace("\u2024", ".")
