using System.Buffers;
using System.Text;
using Understudy.Traffic.Resp;

namespace Understudy.Tests.Traffic;

/// <summary>Frame boundaries the synchronous relay depends on: whole frames only, every RESP2/RESP3 type, commands by name.</summary>
public class RespFramesTests
{
    private static ReadOnlySequence<byte> Bytes(string text) => new(Encoding.UTF8.GetBytes(text));

    [Theory]
    [InlineData("+OK\r\n")]
    [InlineData("-ERR wrong\r\n")]
    [InlineData(":42\r\n")]
    [InlineData("$5\r\nhello\r\n")]
    [InlineData("$-1\r\n")]
    [InlineData("*2\r\n$1\r\na\r\n:1\r\n")]
    [InlineData("*-1\r\n")]
    [InlineData("%1\r\n+server\r\n$5\r\nredis\r\n")] // RESP3 map
    [InlineData(">3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$5\r\nhello\r\n")] // RESP3 push
    [InlineData("_\r\n")]
    [InlineData("*2\r\n*1\r\n,1.5\r\n#t\r\n")]
    public void TrySkip_AWholeFrame_EndsExactlyAtItsEnd(string frame)
    {
        var reader = new SequenceReader<byte>(Bytes(frame + "+NEXT\r\n"));
        Assert.True(RespFrames.TrySkip(ref reader, out _));
        Assert.Equal(Encoding.UTF8.GetByteCount(frame), reader.Consumed);
    }

    [Theory]
    [InlineData("$5\r\nhel")]
    [InlineData("*2\r\n$1\r\na\r\n")]
    [InlineData(":4")]
    [InlineData("%1\r\n+server\r\n")]
    public void TrySkip_PartOfAFrame_LeavesTheReaderWhereItWas(string part)
    {
        var reader = new SequenceReader<byte>(Bytes(part));
        Assert.False(RespFrames.TrySkip(ref reader, out _));
        Assert.Equal(0, reader.Consumed);
    }

    [Fact]
    public void TrySkip_NotResp_IsAProtocolError()
    {
        Assert.Throws<InvalidDataException>(() =>
        {
            var reader = new SequenceReader<byte>(Bytes("HTTP/1.1 200 OK\r\n"));
            RespFrames.TrySkip(ref reader, out _);
        });
    }

    [Fact]
    public void TryReadCommand_ArrayAndInline_FirstThreeWordsUpperCased()
    {
        var reader = new SequenceReader<byte>(Bytes("*4\r\n$6\r\nclient\r\n$5\r\nreply\r\n$3\r\noff\r\n$1\r\nx\r\nset a 1\r\n*1\r\n$4\r\nPI"));
        Assert.True(RespFrames.TryReadCommand(ref reader, out string[] first));
        Assert.Equal(["CLIENT", "REPLY", "OFF"], first);
        Assert.True(RespFrames.TryReadCommand(ref reader, out string[] inline));
        Assert.Equal(["SET", "A", "1"], inline);
        long before = reader.Consumed;
        Assert.False(RespFrames.TryReadCommand(ref reader, out _));
        Assert.Equal(before, reader.Consumed);
    }

    [Fact]
    public void Integer_OfAWaitReply() => Assert.Equal((1L, (long?)null), (RespFrames.Integer(Bytes(":1\r\n"))!.Value, RespFrames.Integer(Bytes("-ERR no\r\n"))));
}
