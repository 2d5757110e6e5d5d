using System.Buffers;
using System.Text;
using Understudy.Traffic;

namespace Understudy.Tests.Traffic;

/// <summary>Requests framed and read (RESPite, pinned with StackExchange.Redis), inline commands, and RESP2 replies.</summary>
public class RespTests
{
    private static ReadOnlySequence<byte> Bytes(string text) => new(Encoding.UTF8.GetBytes(text));

    [Fact]
    public void TryRead_TwoPipelinedRequests_TakesOneAtATime()
    {
        var buffer = Bytes("*3\r\n$8\r\nSENTINEL\r\n$23\r\nget-master-addr-by-name\r\n$8\r\nmymaster\r\n*1\r\n$4\r\nPING\r\n");

        Assert.True(RespRequests.TryRead(ref buffer, out string[] first, out string? error));
        Assert.True(RespRequests.TryRead(ref buffer, out string[] second, out _));

        Assert.Equal(["SENTINEL", "get-master-addr-by-name", "mymaster"], first);
        Assert.Equal(["PING"], second);
        Assert.Null(error);
        Assert.True(buffer.IsEmpty);
    }

    [Fact]
    public void TryRead_PartialRequest_WaitsForMoreAndConsumesNothing()
    {
        var buffer = Bytes("*2\r\n$4\r\nECHO\r\n$5\r\nhel");

        Assert.False(RespRequests.TryRead(ref buffer, out _, out string? error));

        Assert.Null(error);
        Assert.Equal(21, buffer.Length);
    }

    [Fact]
    public void TryRead_InlineCommand_SplitsTheLineIntoWords()
    {
        var buffer = Bytes("SENTINEL  masters\r\nPING\n");

        Assert.True(RespRequests.TryRead(ref buffer, out string[] first, out _));
        Assert.True(RespRequests.TryRead(ref buffer, out string[] second, out _));

        Assert.Equal(["SENTINEL", "masters"], first);
        Assert.Equal(["PING"], second);
    }

    [Theory]
    [InlineData("*1\r\n$-1\r\n")]      // a null word
    [InlineData("*x\r\n")]             // not a count
    [InlineData("*1\r\n:5\r\n")]       // an integer, not a bulk string
    public void TryRead_Malformed_IsAProtocolError(string request)
    {
        var buffer = Bytes(request);

        Assert.False(RespRequests.TryRead(ref buffer, out _, out string? error));

        Assert.NotNull(error);
    }

    [Fact]
    public void TryRead_EndlessRequest_IsCutOffAtTheLimit()
    {
        var buffer = Bytes("*1\r\n$100000\r\n" + new string('a', RespRequests.MaxRequestBytes));

        Assert.False(RespRequests.TryRead(ref buffer, out _, out string? error));

        Assert.Contains("longer than", error);
    }

    [Fact]
    public void Writer_WritesEachRespTwoType()
    {
        var output = new ArrayBufferWriter<byte>();
        var w = new RespWriter(output);

        w.Simple("PONG");
        w.Error("ERR bad\r\nline");
        w.Integer(-3);
        w.Bulk("héllo");
        w.Bulk(null);
        w.NullArray();
        w.Bulks(["a", ""]);

        Assert.Equal("+PONG\r\n-ERR bad  line\r\n:-3\r\n$6\r\nhéllo\r\n$-1\r\n*-1\r\n*2\r\n$1\r\na\r\n$0\r\n\r\n", Encoding.UTF8.GetString(output.WrittenSpan));
    }
}
