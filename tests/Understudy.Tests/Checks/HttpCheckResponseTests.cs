using System.Text;
using Understudy.Checks;

namespace Understudy.Tests.Checks;

/// <summary>How the HTTP check reads a response: status lines, each body framing, early ends, oversized answers and garbage.</summary>
public class HttpCheckResponseTests
{
    private static HttpCheckAnswer? Parse(string text, bool closed = false, bool wantBody = true) =>
        HttpCheckResponse.Parse(Encoding.UTF8.GetBytes(text), closed, wantBody);

    [Theory]
    [InlineData("HTTP/1.1 200 OK\r\n\r\n", 200)]
    [InlineData("HTTP/1.0 503 Service Unavailable\r\nServer: x\r\n\r\n", 503)]
    [InlineData("HTTP/1.1 404\r\n\r\n", 404)]
    [InlineData("HTTP/1.1 204 No Content\n\n", 204)]
    public void Parse_StatusLine_WithoutTheBody(string response, int status) =>
        Assert.Equal(new HttpCheckAnswer(status), Parse(response, wantBody: false));

    [Fact]
    public void Parse_WithoutTheBody_AnswersOnceTheHeadIsIn() =>
        Assert.Equal(200, Parse("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npart", wantBody: false)?.Status);

    [Fact]
    public void Parse_HeadNotYetIn_AsksForMore()
    {
        Assert.Null(Parse(""));
        Assert.Null(Parse("HTTP/1.1 200 OK\r\nContent-Le"));
        Assert.Null(Parse("HTTP/1.1 200 OK\r\n"));
    }

    [Fact]
    public void Parse_ContentLength_ReadsExactlyThatMuch()
    {
        Assert.Null(Parse("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhel"));
        Assert.Equal(new HttpCheckAnswer(200, "hello"), Parse("HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nhello, and more"));
    }

    [Fact]
    public void Parse_Chunked_JoinsTheChunks()
    {
        const string head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
        Assert.Null(Parse(head + "5\r\nhello\r\n"));
        Assert.Equal(new HttpCheckAnswer(200, "hello world"), Parse(head + "5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\n\r\n"));
        Assert.Equal(new HttpCheckAnswer(200, "0123456789abcdef!"), Parse(head + "10\r\n0123456789abcdef\r\n1\r\n!\r\n0\r\n"));
    }

    [Fact]
    public void Parse_NeitherLengthNorChunked_ReadsToTheClose()
    {
        const string response = "HTTP/1.0 200 OK\r\n\r\nstill coming";
        Assert.Null(Parse(response));
        Assert.Equal(new HttpCheckAnswer(200, "still coming"), Parse(response, closed: true));
    }

    [Fact]
    public void Parse_NoContentAndInterimAnswers()
    {
        Assert.Equal(new HttpCheckAnswer(304, ""), Parse("HTTP/1.1 304 Not Modified\r\n\r\n"));
        Assert.Equal(new HttpCheckAnswer(200, "ok"), Parse("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"));
    }

    [Theory]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort")]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel")]
    [InlineData("HTTP/1.1 200 OK\r\nServer: x")]
    [InlineData("")]
    public void Parse_ClosedEarly_ResponseEnded(string response) =>
        Assert.Equal("ResponseEnded", Parse(response, closed: true)?.Error);

    [Theory]
    [InlineData("SSH-2.0-OpenSSH_9.2\r\n\r\n")]
    [InlineData("HTTP/2 200\r\n\r\n")]
    [InlineData("HTTP/1.1 20x OK\r\n\r\n")]
    [InlineData("HTTP/1.1 099 Low\r\n\r\n")]
    [InlineData("HTTP/1.1 2000 OK\r\n\r\n")]
    [InlineData("\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nno colon here\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nok")]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nokXX0\r\n\r\n")]
    public void Parse_Garbage_InvalidResponse(string response) =>
        Assert.Equal("InvalidResponse", Parse(response)?.Error);

    [Fact]
    public void Parse_HeadOverItsLimit_Refused()
    {
        string head = "HTTP/1.1 200 OK\r\nX-Filler: " + new string('x', HttpCheckResponse.HeadLimit);
        Assert.Equal("ConfigurationLimitExceeded", Parse(head, wantBody: false)?.Error);
    }

    [Fact]
    public void Parse_BodyOverItsLimit_CutThere()
    {
        string big = new('a', HttpCheckResponse.BodyLimit + 100);
        var sized = Parse($"HTTP/1.1 200 OK\r\nContent-Length: {big.Length}\r\n\r\n{big}");
        Assert.Equal((HttpCheckResponse.BodyLimit, true), (sized?.Body?.Length, sized?.BodyCut));
        // Only part of it received: answered once the limit is reached, not after the whole body.
        var early = Parse($"HTTP/1.1 200 OK\r\nContent-Length: 10000000\r\n\r\n{big}");
        Assert.Equal((HttpCheckResponse.BodyLimit, true), (early?.Body?.Length, early?.BodyCut));
        var toClose = Parse($"HTTP/1.1 200 OK\r\n\r\n{big}");
        Assert.Equal((HttpCheckResponse.BodyLimit, true), (toClose?.Body?.Length, toClose?.BodyCut));
    }

    [Fact]
    public void Parse_FullBuffer_AlwaysAnswered()
    {
        // A long head leaves less than the body limit for the body: a full buffer still gets an answer, never a wait.
        string head = "HTTP/1.1 200 OK\r\nX-Filler: " + new string('h', 20_000) + "\r\nContent-Length: 1000000\r\n\r\n";
        byte[] full = Encoding.ASCII.GetBytes(head + new string('a', HttpCheckResponse.MaxBytes));
        var answer = HttpCheckResponse.Parse(full.AsSpan(0, HttpCheckResponse.MaxBytes), closed: false, wantBody: true);
        Assert.Equal((200, true), (answer?.Status, answer?.BodyCut));
    }

    [Fact]
    public void Parse_ChunkedOverItsLimit_CutThere()
    {
        var text = new StringBuilder("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
        while (text.Length < HttpCheckResponse.MaxBytes) text.Append("400\r\n").Append('b', 0x400).Append("\r\n");
        var answer = Parse(text.ToString());
        Assert.Equal((HttpCheckResponse.BodyLimit, true), (answer?.Body?.Length, answer?.BodyCut));
    }

    [Fact]
    public void Parse_BufferFullOfTinyChunks_CutAtWhatIsThere()
    {
        // Framing heavier than the data: the buffer fills before the body reaches its limit.
        var text = new StringBuilder("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
        while (text.Length < HttpCheckResponse.MaxBytes) text.Append("1;padding-padding\r\nc\r\n");
        var answer = HttpCheckResponse.Parse(Encoding.ASCII.GetBytes(text.ToString())[..HttpCheckResponse.MaxBytes], closed: false, wantBody: true);
        Assert.True(answer is { BodyCut: true, Status: 200, Error: null });
        Assert.All(answer!.Value.Body!, c => Assert.Equal('c', c));
    }

    [Fact]
    public void Target_RequestAsHttpClientWroteIt()
    {
        var (at, request, _) = HttpHealthCheck.Target("127.0.0.1", 8080, "/health");
        Assert.Equal("127.0.0.1:8080", at.ToString());
        Assert.Equal("GET /health HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nConnection: close\r\n\r\n", Encoding.ASCII.GetString(request));
        var (_, v6, _) = HttpHealthCheck.Target("::1", 80, "/ready");
        Assert.Equal("GET /ready HTTP/1.1\r\nHost: [::1]\r\nConnection: close\r\n\r\n", Encoding.ASCII.GetString(v6));
    }

    [Theory]
    [InlineData("/health?full=1", "/health?full=1")]
    [InlineData("/a b?x=a b&y=é", "/a%20b?x=a%20b&y=%C3%A9")]
    [InlineData("/h#x?a=1#b", "/h%23x?a=1%23b")]
    [InlineData("/h?a=\r\nX: y", "/h?a=%0D%0AX:%20y")]
    [InlineData("/h%3F?a=%20", "/h%3F?a=%20")]
    public void Target_QuerySentAsAQuery_UnsafeCharactersEscaped(string path, string sent)
    {
        var (_, request, _) = HttpHealthCheck.Target("db-a", 8080, path);
        Assert.Equal($"GET {sent} HTTP/1.1\r\nHost: db-a:8080\r\nConnection: close\r\n\r\n", Encoding.ASCII.GetString(request));
    }
}
