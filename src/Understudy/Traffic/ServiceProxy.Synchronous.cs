using System.IO.Pipelines;
using System.Net.Sockets;
using Understudy.Core.Topology;

namespace Understudy.Traffic;

/// <summary>Redis synchronous mode's part of the proxy: the command table, the relay's two directions, the count of unprotected writes.</summary>
public sealed partial class ServiceProxy
{
    /// <summary>Redis synchronous mode: batches of writes acknowledged to clients although no replica had them within the wait (non-strict).</summary>
    public long UnprotectedWrites => Interlocked.Read(ref _unprotected);
    private long _unprotected;

    private void CountUnprotected()
    {
        if (Interlocked.Increment(ref _unprotected) % 1000 == 1) Log.Unprotected(logger, Spec.Name, ProxyDefaults.RedisWaitTimeout.TotalMilliseconds);
    }

    /// <summary>
    /// The primary's command table, read once per proxy (and again after a failure: until then every command counts
    /// as a write, which is only slower).
    /// </summary>
    private async Task<Resp.RespCommandTable> CommandTableAsync(ServiceSpec service, string member)
    {
        Task<Resp.RespCommandTable> load = _commandTable ??= Resp.RespCommandTable.LoadAsync(service.Redis ?? RedisSpec.Default, service.Member(member).Address, CancellationToken.None);
        try { return await load; }
        catch (Exception e) when (Failover.Redis.RedisActions.IsRedisFailure(e) || e is OperationCanceledException)
        {
            _ = Interlocked.CompareExchange(ref _commandTable, null, load);
            return Resp.RespCommandTable.Unknown;
        }
    }

    private Task<Resp.RespCommandTable>? _commandTable;

    /// <summary>One direction of the synchronous relay: ends quietly when either side goes, as the copies do; a protocol error cuts the connection.</summary>
    private async Task RelayAsync(Func<Task> relay, PipeReader input, Socket upstream)
    {
        try { await relay(); upstream.Shutdown(SocketShutdown.Send); }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or InvalidDataException)
        {
            if (e is InvalidDataException) Log.ProtocolError(logger, Spec.Name, e.Message);
            upstream.Dispose();
        }
        finally { await input.CompleteAsync(); }
    }

    private async Task RelayAsync(Func<Task> relay, PipeWriter output)
    {
        try { await relay(); }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or InvalidDataException)
        {
            if (e is InvalidDataException) Log.ProtocolError(logger, Spec.Name, e.Message);
        }
        finally { await output.CompleteAsync(); }
    }
}
