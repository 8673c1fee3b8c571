"""The e-mail check's fast path (plain ASCII addresses answered from their domain's cached
verdict) accepts, refuses and normalises exactly as the validator asked about the whole
address does."""

from hypothesis import example, given, settings
from hypothesis import strategies as st

from rapport.core.domain import values

ATEXT = "abcxyzABCXYZ0189_!#$%&'*+-/=?^`{|}~"
LABEL_CHARS = "abcxyzABCXYZ0189-"
TLDS = ["com", "ru", "COM", "xn--p1ai", "local", "localhost", "test", "invalid", "onion",
        "arpa", "example", "123", "c", "museum", ""]  # fmt: skip

local_parts = st.one_of(
    st.text(st.sampled_from(ATEXT + "."), min_size=0, max_size=70),
    st.sampled_from(["info", "Sales", "POSTMASTER", "www", "a..b", ".a", "a.", "ivan.petrov"]),
    st.text(st.sampled_from(ATEXT + '. "@\\<>()[],:;é'), max_size=12),
)
labels = st.one_of(
    st.text(st.sampled_from(LABEL_CHARS), min_size=0, max_size=66),
    st.sampled_from(["xn--80ak6aa92e", "xn--d1acufc", "XN--P1AI", "-a", "a-", "a--b", "1"]),
)
domains = st.one_of(
    st.builds(
        lambda parts, tld, dot: ".".join([*parts, tld]) + dot,
        st.lists(labels, min_size=0, max_size=5),
        st.sampled_from(TLDS),
        st.sampled_from(["", "", "", "."]),
    ),
    st.text(st.sampled_from(LABEL_CHARS + ".@é[]:"), max_size=20),
)
addresses = st.one_of(
    st.builds(lambda local, domain: f"{local}@{domain}", local_parts, domains),
    st.text(max_size=40),
)


@settings(max_examples=3000, deadline=None)
@given(addresses)
@example("client1@example.com")
@example("Client.One@Example.COM")
@example("x" * 64 + "@" + "a" * 63 + "." + "b" * 63 + "." + "c" * 57 + ".com")
@example("a@" + "a" * 63 + "." + "b" * 63 + "." + "c" * 63 + "." + "d" * 59 + ".ru")
@example("user@xn--80ak6aa92e.com")
@example("Info@example.com")
@example('"quoted"@example.com')
@example("Ivan <ivan@example.com>")
def test_fast_path_answers_as_the_validator_does(address: str) -> None:
    assert values._email_verdict.__wrapped__(address) == values._validated_email(address)
