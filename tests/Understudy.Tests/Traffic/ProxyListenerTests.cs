using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Understudy.Core.Topology;
using Understudy.Tests.Testing;
using Understudy.Traffic;

namespace Understudy.Tests.Traffic;

public class ProxyListenerTests
{
    [Fact]
    public async Task AcceptFailed_AtTheRetryRate_OneWarningPer10sCountingTheRest()
    {
        var time = new FakeTimeProvider();
        var logger = new RecordingLogger();
        await using ProxyListener listener = ProxyListener.Bind(new HostPort("127.0.0.1", 0), "services.web.traffic.proxy.listen", _ => Task.CompletedTask, logger, time);
        var tooMany = new SocketException((int)SocketError.TooManyOpenSockets);

        // 20 s of failures at the accept loop's retry rate, as at the open-file limit.
        for (int i = 0; i < 400; i++)
        {
            listener.AcceptFailed(tooMany);
            time.Advance(TimeSpan.FromMilliseconds(50));
        }

        Assert.Equal(2, logger.Lines.Count);
        Assert.All(logger.Lines, l => Assert.Equal(LogLevel.Warning, l.Level));
        Assert.StartsWith($"services.web.traffic.proxy.listen: accepting a connection failed: {tooMany.Message}; retried every 50 ms, logged at most once per 10 s", logger.Lines[0].Message);
        Assert.EndsWith("; 0 more failed since the last such line", logger.Lines[0].Message);
        Assert.EndsWith("; 199 more failed since the last such line", logger.Lines[1].Message);
    }
}
