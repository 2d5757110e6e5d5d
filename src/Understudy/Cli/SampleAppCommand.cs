using System.CommandLine;
using Understudy.Config;
using Understudy.Core.Topology;
using Understudy.SampleApp;

namespace Understudy.Cli;

internal static class SampleAppCommand
{
    public static Command Create()
    {
        var port = new Option<int>("--port", "-p") { Description = "port on 127.0.0.1", Required = true };
        var name = new Option<string>("--name", "-n") { Description = "the name it answers with", DefaultValueFactory = _ => "sample" };
        var peer = new Option<string?>("--peer") { Description = "host:port of the sample app that receives its writes" };
        var replication = new Option<ReplicationMode>("--replication") { Description = "sync: acknowledge after the peer has the write; async: before", DefaultValueFactory = _ => ReplicationMode.Sync };
        var delay = new Option<string>("--async-delay") { Description = "how long async replication waits before forwarding", DefaultValueFactory = _ => "50ms" };
        var pidfile = new Option<string?>("--pidfile") { Description = "write the process id here while running" };
        var unready = new Option<bool>("--unready") { Description = "GET / answers 503 while /health still answers ok: up for health checks, broken for clients" };
        var cmd = new Command("sample-app", "A tiny HTTP service: GET / answers its name, GET /health ok, POST/GET /writes a replicated write store.")
            { port, name, peer, replication, delay, pidfile, unready };
        port.Validators.Add(r => { if (r.GetValueOrDefault<int>() is < 1 or > 65535) r.AddError("--port must be from 1 to 65535"); });
        peer.Validators.Add(r => { if (r.GetValueOrDefault<string?>() is { } p && !HostPort.TryParse(p, out _, out string why)) r.AddError($"--peer: {why}"); });
        delay.Validators.Add(r => { if (!Durations.TryParse(r.GetValueOrDefault<string>() ?? "", out _, out string why)) r.AddError($"--async-delay: {why}"); });
        cmd.SetAction((parse, ct) =>
        {
            HostPort.TryParse(parse.GetValue(peer), out HostPort? peerAddress, out _);
            Durations.TryParse(parse.GetValue(delay)!, out TimeSpan asyncDelay, out _);
            var options = new SampleAppOptions(parse.GetValue(port), parse.GetValue(name)!, peerAddress, parse.GetValue(replication), asyncDelay, parse.GetValue(pidfile),
                parse.GetValue(unready));
            return SampleApp.SampleApp.RunAsync(options, ct);
        });
        return cmd;
    }
}
