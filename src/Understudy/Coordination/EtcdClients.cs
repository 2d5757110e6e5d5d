using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using dotnet_etcd;
using Understudy.Core.Topology;

namespace Understudy.Coordination;

/// <summary>Builds the one <see cref="EtcdClient"/> an <see cref="EtcdStore"/> talks through: every endpoint, credentials, TLS.</summary>
internal static class EtcdClients
{
    public static EtcdClient Create(CoordinationSpec spec)
    {
        string endpoints = string.Join(",", spec.Etcd.Select(u => $"{u.Scheme}://{u.Authority}"));
        bool tls = spec.Etcd[0].Scheme == Uri.UriSchemeHttps;
        var client = new EtcdClient(
            endpoints,
            tls ? o => ConfigureTls(o, spec) : null,
            serverName: spec.Etcd[0].Host,
            // dotnet-etcd's channel retries Unavailable up to 5 times over 3.5 s and more. Every call here has a deadline
            // of its own and its caller retries on its own schedule; a retried transaction whose first answer was lost
            // would be applied twice. So: one attempt per call. Round-robin over the endpoints stays.
            configureChannelOptions: o =>
            {
                o.ServiceConfig?.MethodConfigs.Clear();
                KeepAlive(o);
            });
        if (spec.Username is { } user && spec.Password is { } password) client.SetCredentials(user, password);
        return client;
    }

    /// <summary>
    /// HTTP/2 pings on every endpoint's connection. A call that times out leaves its connection open, so without them an
    /// etcd member cut off by a partition stays in the round-robin and every third call waits out its timeout for as long
    /// as the partition lasts (leases lapse, commits go unconfirmed, leaders churn). A connection silent for
    /// <see cref="PingAfter"/> + <see cref="PingTimeout"/> is dropped, and calls go to the members that answer. etcd
    /// refuses pings more often than its <c>--grpc-keepalive-min-time</c> (5 s by default), hence 6 s.
    /// </summary>
    private static void KeepAlive(Grpc.Net.Client.GrpcChannelOptions options)
    {
        options.HttpHandler ??= new SocketsHttpHandler { EnableMultipleHttp2Connections = true };
        if (options.HttpHandler is not SocketsHttpHandler handler) return;
        handler.KeepAlivePingDelay = PingAfter;
        handler.KeepAlivePingTimeout = PingTimeout;
        handler.KeepAlivePingPolicy = HttpKeepAlivePingPolicy.WithActiveRequests;
    }

    private static readonly TimeSpan PingAfter = TimeSpan.FromSeconds(6), PingTimeout = TimeSpan.FromSeconds(2);

    private static void ConfigureTls(SslClientAuthenticationOptions options, CoordinationSpec spec)
    {
        X509Certificate2Collection? ca = null;
        if (spec.Tls?.Ca is { } caFile)
        {
            ca = [];
            ca.ImportFromPemFile(caFile);
        }
        if (spec.Tls is { Cert: { } cert, Key: { } key }) options.ClientCertificates = [X509Certificate2.CreateFromPemFile(cert, key)];
        string[] hosts = [.. spec.Etcd.Select(u => u.IdnHost).Distinct()];
        options.RemoteCertificateValidationCallback = (_, certificate, chain, errors) => IsTrusted(certificate, chain, errors, ca, hosts);
    }

    /// <summary>
    /// One gRPC channel serves every endpoint under one server name, so the name check is ours: the certificate must
    /// name one of the configured hosts, and chain to the configured CA (else to the system's trust store).
    /// </summary>
    private static bool IsTrusted(X509Certificate? certificate, X509Chain? systemChain, SslPolicyErrors errors, X509Certificate2Collection? ca, string[] hosts)
    {
        if (certificate is not X509Certificate2 cert) return false;
        if (!hosts.Any(h => cert.MatchesHostname(h))) return false;
        if (ca is null) return (errors & ~SslPolicyErrors.RemoteCertificateNameMismatch) == SslPolicyErrors.None;
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (systemChain is not null)
            foreach (X509ChainElement e in systemChain.ChainElements.Skip(1)) chain.ChainPolicy.ExtraStore.Add(e.Certificate);
        return chain.Build(cert);
    }
}
