import pytest

from train.windows import char_windows, owned_ranges


@pytest.mark.parametrize("n", [0, 1, 2, 127, 128, 509, 510, 511, 639, 640, 1000, 5000, 84156])
@pytest.mark.parametrize("size, overlap", [(510, 128), (254, 64), (16, 0), (16, 15), (3, 1)])
def test_windows_cover_every_char_once_through_owned_ranges(n, size, overlap):
    windows = char_windows(n, size, overlap)
    assert all(0 <= a < b <= n and b - a <= size for a, b in windows)
    owned = owned_ranges(windows)
    covered = [i for a, b in owned for i in range(a, b)]
    assert covered == list(range(n))
    for (wa, wb), (oa, ob) in zip(windows, owned):
        assert wa <= oa <= ob <= wb
    # consecutive windows overlap by at least the requested overlap (where there is more than one)
    for (a1, b1), (a2, b2) in zip(windows, windows[1:]):
        assert b1 - a2 >= overlap


def test_owned_cut_is_inside_the_overlap_with_context_on_both_sides():
    windows = char_windows(2000, 510, 128)
    owned = owned_ranges(windows)
    for i in range(1, len(windows)):
        cut = owned[i][0]
        assert cut - windows[i][0] >= 64 and windows[i - 1][1] - cut >= 64


@pytest.mark.parametrize("size, overlap", [(0, 0), (10, 10), (10, -1)])
def test_bad_parameters(size, overlap):
    with pytest.raises(ValueError):
        char_windows(100, size, overlap)
