using System.Diagnostics;
using Understudy.Coordination;
using Understudy.Core.Topology;
using Understudy.IntegrationTests.Fixtures;
using Understudy.IntegrationTests.Fixtures.Etcd;
using Xunit.Abstractions;

namespace Understudy.IntegrationTests.Coordination;

/// <summary>The store's client against an etcd that asks for TLS with client certificates, or for a user and password.</summary>
[Collection(RealProcesses.Name)]
public sealed class EtcdSecurityTests(ITestOutputHelper output)
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    [Fact]
    public async Task Store_MutualTls_WorksWithTheCaAndAClientCertificate_NotWithAnotherCaOrWithoutACertificate()
    {
        using var folder = new TempDir();
        var certs = TestCertificates.Write(folder.Path);
        await using var etcd = await EtcdServer.StartAsync(certs);

        await using (var store = Store(etcd.Url, new EtcdTlsSpec(certs.Ca, certs.ClientCert, certs.ClientKey)))
        {
            await Eventually.TrueAsync(() => EtcdTest.AnswersAsync(store), "an answer over TLS");
            await store.PutAsync(store.Keys.Leader, "ctl-a", 0, default);
            Assert.Equal("ctl-a", (await store.GetAsync(store.Keys.Leader, default))!.Value);
        }
        await using (var wrongCa = Store(etcd.Url, new EtcdTlsSpec(certs.OtherCa, certs.ClientCert, certs.ClientKey)))
            Assert.Equal(CoordinationFailure.Unreachable, await FailureAsync(wrongCa));
        await using (var noClientCert = Store(etcd.Url, new EtcdTlsSpec(certs.Ca, null, null)))
            Assert.Equal(CoordinationFailure.Unreachable, await FailureAsync(noClientCert));
    }

    [Fact]
    public async Task Store_Authentication_WorksWithTheUserAndPassword_IsRefusedWithAWrongOne()
    {
        await using var etcd = await EtcdServer.StartAsync();
        foreach (string[] args in (string[][])[["user", "add", "root", "--new-user-password=r00t-pw", "--interactive=false"], ["auth", "enable"]])
            await EtcdCtlAsync(etcd.Url, args);

        await using (var store = Store(etcd.Url, null, "root", "r00t-pw"))
        {
            await Eventually.TrueAsync(() => EtcdTest.AnswersAsync(store), "an answer with credentials");
            EtcdLease lease = await store.GrantLeaseAsync(EtcdTest.Lease, default);
            Assert.Equal(lease.GrantedTtl, await store.KeepAliveOnceAsync(lease.Id, default));
        }
        await using (var wrong = Store(etcd.Url, null, "root", "not-the-password"))
            Assert.Equal(CoordinationFailure.Refused, await FailureAsync(wrong));
        await using (var anonymous = Store(etcd.Url, null))
            Assert.Equal(CoordinationFailure.Refused, await FailureAsync(anonymous));
    }

    private EtcdStore Store(string url, EtcdTlsSpec? tls, string? user = null, string? password = null) =>
        new(EtcdTest.Spec(url) with { Tls = tls, Username = user, Password = password }, TimeProvider.System, new TestLogger<EtcdStore>(output, _clock));

    /// <summary>The failure of a call that must not succeed, after a second attempt (the first may be slow to connect).</summary>
    private static async Task<CoordinationFailure> FailureAsync(EtcdStore store)
    {
        CoordinationFailure? last = null;
        for (int attempt = 0; attempt < 2; attempt++)
        {
            var e = await Assert.ThrowsAsync<CoordinationUnavailable>(() => store.PutAsync(store.Keys.Leader, "intruder", 0, default));
            last = e.Failure;
        }
        return last!.Value;
    }

    private static async Task EtcdCtlAsync(string url, string[] args)
    {
        var start = new ProcessStartInfo("/usr/bin/etcdctl") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["ETCDCTL_API"] = "3";
        foreach (string a in (string[])["--endpoints", url, "--user", "root:r00t-pw", .. args]) start.ArgumentList.Add(a);
        using Process p = Process.Start(start)!;
        string err = await p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        Assert.True(p.ExitCode == 0, $"etcdctl {string.Join(' ', args)}: {err}");
    }
}
