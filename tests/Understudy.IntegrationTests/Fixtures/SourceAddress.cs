using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;

namespace Understudy.IntegrationTests.Fixtures;

/// <summary>
/// A client of the API that connects from another loopback address (127.0.0.2): a second client, as the controller
/// sees it, whose requests are not held back when 127.0.0.1 used up its failed sign-ins.
/// </summary>
public static class SourceAddress
{
    public static HttpClient Client(IPAddress from, int apiPort, string token) => new(new SocketsHttpHandler
    {
        ConnectCallback = async (context, ct) =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                socket.Bind(new IPEndPoint(from, 0));
                await socket.ConnectAsync(context.DnsEndPoint, ct);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    })
    {
        BaseAddress = new Uri($"http://127.0.0.1:{apiPort}"), Timeout = TimeSpan.FromSeconds(10),
        DefaultRequestHeaders = { Authorization = new AuthenticationHeaderValue("Bearer", token) },
    };
}
