using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using ARSoft.Tools.Net;
using ARSoft.Tools.Net.Dns;
using ARSoft.Tools.Net.Dns.DynamicUpdate;
using Understudy.Config;
using Understudy.Core.Failover;
using Understudy.Core.Topology;

namespace Understudy.Traffic.Switches;

/// <summary>
/// <c>traffic.dns</c>: one RFC 2136 UPDATE, signed with the TSIG key, that deletes the name's A and AAAA records and adds
/// the new primary's address; then a query to the same server that must answer exactly that address. Idempotent: run
/// again it writes the same record. It cannot fence: resolvers and clients keep the old address for up to the TTL.
/// </summary>
public sealed class DnsSwitch(ServiceSpec service, DnsSpec dns) : ITrafficSwitch
{
    public string Name => $"DNS {dns.Name} at {dns.Server}";

    // The switch stops itself at dns.Timeout with a message that says which exchange went unanswered; the margin lets
    // that outcome be the one journaled rather than the switchboard's generic one.
    public TimeSpan Timeout => dns.Timeout + TimeSpan.FromSeconds(1);

    public bool CanFence => false;

    public Task<SwitchOutcome> FenceAsync(string member, long epoch, CancellationToken cancel) => Task.FromResult(SwitchOutcome.Done("cannot fence"));

    public async Task<SwitchOutcome> SwitchAsync(SwitchTraffic step, CancellationToken cancel)
    {
        IPAddress to = DnsSection.RecordAddress(service.Member(step.To).Address.Host)
            ?? throw new InvalidOperationException($"member {step.To} has no IP address (the config check refuses that)");
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        deadline.CancelAfter(dns.Timeout);
        long started = Stopwatch.GetTimestamp();
        string waitingFor = "the update's answer";
        try
        {
            DnsClient client = Client();
            DnsUpdateMessage? answer = await client.SendUpdateAsync(Update(to), deadline.Token).WaitAsync(deadline.Token);
            if (answer is null) return SwitchOutcome.Failed($"no answer from {dns.Server} to the update (UDP and TCP)");
            if (Refusal(answer) is { } refused) return SwitchOutcome.Failed(refused);

            waitingFor = "the answers to the queries that check the record";
            Task<string?> a = AnswerAsync(client, RecordType.A, deadline.Token), aaaa = AnswerAsync(client, RecordType.Aaaa, deadline.Token);
            string?[] answers = await Task.WhenAll(a, aaaa).WaitAsync(deadline.Token);
            if (answers.Any(x => x is null)) return SwitchOutcome.Failed($"the update was accepted, but {dns.Server} did not answer the query that checks it");
            string[] seen = [.. answers.SelectMany(x => x!.Split(' ', StringSplitOptions.RemoveEmptyEntries))];
            string type = to.AddressFamily == AddressFamily.InterNetworkV6 ? "AAAA" : "A";
            if (seen is not [var only] || only != to.ToString())
                return SwitchOutcome.Failed($"the update was accepted, but {dns.Server} answers {dns.Name} with {(seen.Length == 0 ? "no address" : string.Join(", ", seen))} instead of {type} {to}");
            return SwitchOutcome.Done(string.Create(CultureInfo.InvariantCulture,
                $"{dns.Name} {type} {to} (TTL {dns.Ttl.TotalSeconds:0} s), checked by a query, in {Stopwatch.GetElapsedTime(started).TotalMilliseconds:0} ms"));
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancel.IsCancellationRequested)
        {
            return SwitchOutcome.Failed(string.Create(CultureInfo.InvariantCulture,
                $"no answer from {dns.Server} within the timeout ({dns.Timeout.TotalMilliseconds:0} ms), waiting for {waitingFor}"));
        }
    }

    private DnsClient Client()
    {
        int port = dns.Server.Port;
        // The deadline in SwitchAsync bounds the whole switch and says what was awaited; the client's own per-exchange
        // timeout is set a little later so that it is the deadline that ends a silent exchange.
        return new DnsClient([IPAddress.Parse(dns.Server.Host)], [new UdpClientTransport(port), new TcpClientTransport(port)], true,
            (int)Math.Min(int.MaxValue, (dns.Timeout + TimeSpan.FromMilliseconds(500)).TotalMilliseconds));
    }

    /// <summary>The UPDATE: delete the name's A and AAAA RRsets, add the primary's address; signed with the TSIG key.</summary>
    private DnsUpdateMessage Update(IPAddress to)
    {
        DomainName name = DomainName.Parse(dns.Name);
        int ttl = (int)dns.Ttl.TotalSeconds;
        var message = new DnsUpdateMessage { ZoneName = DomainName.Parse(dns.Zone) };
        message.Updates.Add(new DeleteAllRecordsUpdate(name, RecordType.A));
        message.Updates.Add(new DeleteAllRecordsUpdate(name, RecordType.Aaaa));
        message.Updates.Add(new AddRecordUpdate(to.AddressFamily == AddressFamily.InterNetworkV6 ? new AaaaRecord(name, ttl, to) : new ARecord(name, ttl, to)));
        // The transaction ID is signed too, so it is chosen here rather than left to the client.
        message.TransactionID = (ushort)System.Security.Cryptography.RandomNumberGenerator.GetInt32(1, 0xffff);
        message.TSigOptions = new TSigRecord(DomainName.Parse(dns.Tsig.KeyName), Algorithm(dns.Tsig.Algorithm), DateTime.UtcNow, TimeSpan.FromMinutes(5),
            message.TransactionID, ReturnCode.NoError, null, Convert.FromBase64String(dns.Tsig.Secret));
        return message;
    }

    private static TSigAlgorithm Algorithm(string name) => name switch
    {
        "hmac-md5" => TSigAlgorithm.Md5,
        "hmac-sha1" => TSigAlgorithm.Sha1,
        "hmac-sha224" => TSigAlgorithm.Sha224,
        "hmac-sha384" => TSigAlgorithm.Sha384,
        "hmac-sha512" => TSigAlgorithm.Sha512,
        _ => TSigAlgorithm.Sha256,
    };

    /// <summary>Why the server did not apply the update, in words; null when it did.</summary>
    private string? Refusal(DnsUpdateMessage answer)
    {
        // TSIG errors (RFC 8945) travel in the answer's TSIG record; ARSoft's enum names 16 BadVersion as well as BadSig.
        int tsigError = answer.TSigOptions is { } signed ? (int)signed.Error : 0;
        string key = $"TSIG key '{dns.Tsig.KeyName}' ({dns.Tsig.Algorithm})";
        string? why = tsigError switch
        {
            16 => $"{key} not accepted (BADSIG: the secret or the algorithm differs from the server's)",
            17 => $"{key} not accepted (BADKEY: the server knows no key of that name and algorithm)",
            18 => $"{key} not accepted (BADTIME: this machine's clock and the server's differ by more than 5 minutes)",
            0 => null,
            _ => $"{key} not accepted (TSIG error {tsigError})",
        };
        why ??= answer.ReturnCode switch
        {
            ReturnCode.NoError => null,
            ReturnCode.NotAuthoritive => $"it is not authoritative for zone {dns.Zone}, or did not accept the {key} (NOTAUTH)",
            ReturnCode.Refused => $"{key} may not update {dns.Name} in zone {dns.Zone}, or the server is not the zone's primary (REFUSED; see allow-update or update-policy)",
            ReturnCode.NotZone => $"{dns.Name} is not in zone {dns.Zone} as the server has it (NOTZONE)",
            ReturnCode.ServerFailure => "it failed to apply it (SERVFAIL; see the server's log)",
            var code => $"it answered {code} ({(int)code})",
        };
        return why is null ? null : $"the DNS server {dns.Server} refused the update: {why}";
    }

    /// <summary>The addresses the server answers for the name and <paramref name="type"/>, space-separated; null without an answer.</summary>
    private async Task<string?> AnswerAsync(DnsClient client, RecordType type, CancellationToken cancel)
    {
        DnsMessage? answer = await client.ResolveAsync(DomainName.Parse(dns.Name), type, RecordClass.INet, new DnsQueryOptions { IsRecursionDesired = false }, cancel);
        if (answer is null || answer.ReturnCode is not (ReturnCode.NoError or ReturnCode.NxDomain)) return null;
        return string.Join(' ', answer.AnswerRecords.OfType<AddressRecordBase>().Select(r => r.Address.ToString()));
    }
}
