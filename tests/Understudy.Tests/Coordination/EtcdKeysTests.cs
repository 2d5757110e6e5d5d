using Understudy.Coordination;

namespace Understudy.Tests.Coordination;

public class EtcdKeysTests
{
    private static readonly EtcdKeys Keys = new("shop");

    [Fact]
    public void Keys_AllLiveUnderTheClusterRoot()
    {
        Assert.Equal("/understudy/shop/", Keys.Root);
        Assert.Equal("/understudy/shop/leader", Keys.Leader);
        Assert.Equal("/understudy/shop/instances/ctl-a", Keys.Instance("ctl-a"));
        Assert.Equal("/understudy/shop/acks/web/ctl-a", Keys.Ack("web", "ctl-a"));
        Assert.Equal("/understudy/shop/log/web/000000000042", Keys.LogKey("web", 42));
    }

    [Fact]
    public void LogKey_SortsAsItsNumberDoes()
    {
        long[] seqs = [1, 9, 10, 99, 100, 123_456_789, EtcdKeys.MaxSeq];

        Assert.Equal(seqs.Select(s => Keys.LogKey("web", s)), seqs.Select(s => Keys.LogKey("web", s)).Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData(-1L)]
    [InlineData(EtcdKeys.MaxSeq + 1)]
    public void LogKey_OutsideTwelveDigits_Throws(long seq) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Keys.LogKey("web", seq));

    [Fact]
    public void RangeEnd_IsThePrefixWithItsLastByteRaised_SoOnlyKeysUnderItFallInside()
    {
        string prefix = Keys.ServiceLog("web"), end = EtcdKeys.RangeEnd(prefix);

        Assert.Equal("/understudy/shop/log/web0", end);
        Assert.True(string.CompareOrdinal(Keys.LogKey("web", EtcdKeys.MaxSeq), end) < 0);
        // Another service whose name starts the same stays outside: the prefix ends in '/'.
        Assert.False(Keys.LogKey("web-2", 1).StartsWith(prefix, StringComparison.Ordinal));
        Assert.True(string.CompareOrdinal(Keys.LogKey("web-2", 1), prefix) < 0 || string.CompareOrdinal(Keys.LogKey("web-2", 1), end) >= 0);
    }

    [Theory]
    [InlineData("")]
    [InlineData("caf\u00e9")]
    public void RangeEnd_EmptyOrNonAsciiEnd_Throws(string prefix) =>
        Assert.Throws<ArgumentException>(() => EtcdKeys.RangeEnd(prefix));
}
