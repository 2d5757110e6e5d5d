using System.Collections.Immutable;
using Understudy.Config;
using Understudy.Core.Topology;

namespace Understudy.Tests.Config;

/// <summary>controller.name and controller.coordination: etcd endpoints, cluster, lease, credentials, TLS files.</summary>
public partial class ConfigLoaderTests
{
    /// <summary><c>controller.coordination</c> with <paramref name="lines"/> as its keys from line 3 on, 5 columns in, then Base.</summary>
    private static string Coordinated(string lines, string controllerLines = "") =>
        "controller:\n" + (controllerLines.Length > 0 ? $"  {controllerLines}\n" : "") + "  coordination:\n"
        + string.Join("\n", lines.Split('\n').Select(l => "    " + l)) + "\n" + Base;

    [Fact]
    public void Parse_Coordination_EveryKeyRead()
    {
        string folder = Directory.CreateTempSubdirectory("understudy-tls-").FullName;
        try
        {
            foreach (string f in (string[])["ca.pem", "client.pem", "client-key.pem"]) File.WriteAllText(Path.Combine(folder, f), "x");
            ConfigResult result = ConfigLoader.Parse(Coordinated("""
                etcd: [https://10.0.0.1:2379, "https://[fd00::2]:2379"]
                cluster: shop-eu-1
                lease: 3s
                username: "${ETCD_USER}"
                password: "${ETCD_PASSWORD}"
                tls: { ca: ca.pem, cert: client.pem, key: client-key.pem }
                """, "name: ctl-a"), FileName, folder, n => n switch { "ETCD_USER" => "understudy", "ETCD_PASSWORD" => "s3cret-pw", _ => null });

            Assert.Empty(result.Errors);
            ControllerSpec controller = result.Spec!.Controller;
            CoordinationSpec c = controller.Coordination!;
            Assert.Equal("ctl-a", controller.Name);
            Assert.Equal(["https://10.0.0.1:2379/", "https://[fd00::2]:2379/"], c.Etcd.Select(u => u.ToString()));
            Assert.Equal(("shop-eu-1", TimeSpan.FromSeconds(3), "understudy", "s3cret-pw"), (c.Cluster, c.Lease, c.Username, c.Password));
            Assert.Equal(new EtcdTlsSpec(Path.Combine(folder, "ca.pem"), Path.Combine(folder, "client.pem"), Path.Combine(folder, "client-key.pem")), c.Tls);
            Assert.DoesNotContain("s3cret-pw", controller.ToString());
        }
        finally { Directory.Delete(folder, recursive: true); }
    }

    [Fact]
    public void Parse_CoordinationDefaults_LeaseTwoSecondsAndCallsAtMostHalfOfIt()
    {
        CoordinationSpec c = AssertValid(Coordinated("etcd: [http://127.0.0.1:2379]\ncluster: shop")).Controller.Coordination!;

        Assert.Equal((TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1)), (c.Lease, c.CallTimeout));
        Assert.Equal((null, null, null), (c.Username, c.Password, c.Tls));
    }

    [Fact]
    public void Parse_NoCoordination_RunsAloneNamedAfterTheHost()
    {
        ControllerSpec controller = AssertValid(Base).Controller;

        Assert.Null(controller.Coordination);
        Assert.Equal(Names.FromHostName(Environment.MachineName), controller.Name);
    }

    [Theory]
    [InlineData("Web01.Example.COM", "web01-example-com")]
    [InlineData("db_2", "db_2")]
    [InlineData("...", ControllerDefaults.Name)]
    public void FromHostName_GivesAValidName(string host, string expected)
    {
        Assert.Equal(expected, Names.FromHostName(host));
        Assert.True(Names.IsValid(Names.FromHostName(host)));
    }

    [Fact]
    public void Parse_BadInstanceName_IsRefused() => AssertErrors(
        Coordinated("etcd: [http://127.0.0.1:2379]\ncluster: shop", "name: Ctl.A"),
        "understudy.yaml:2:9 controller.name: a name uses lowercase letters, digits, '-' and '_', and starts with a letter or digit (got 'Ctl.A')");

    [Fact]
    public void Parse_CoordinationWithoutEtcdOrCluster_SaysWhatIsRequired() => AssertErrors(
        Coordinated("lease: 2s"),
        "understudy.yaml:3:5 controller.coordination.etcd: required: a sequence of etcd URLs, e.g. [http://127.0.0.1:2379]",
        "understudy.yaml:3:5 controller.coordination.cluster: required: the cluster's name, the same on every instance (keys live under /understudy/NAME/)");

    [Fact]
    public void Parse_BadEtcdUrls_NameEachOne() => AssertErrors(
        Coordinated("etcd: [127.0.0.1:2379, http://127.0.0.1, ftp://127.0.0.1:2379, http://127.0.0.1:2379/v3]\ncluster: shop"),
        "understudy.yaml:3:12 controller.coordination.etcd[0]: expected an http:// or https:// URL with a port, such as http://127.0.0.1:2379, got '127.0.0.1:2379'",
        "understudy.yaml:3:28 controller.coordination.etcd[1]: expected an http:// or https:// URL with a port, such as http://127.0.0.1:2379, got 'http://127.0.0.1'",
        "understudy.yaml:3:46 controller.coordination.etcd[2]: expected an http:// or https:// URL with a port, such as http://127.0.0.1:2379, got 'ftp://127.0.0.1:2379'",
        "understudy.yaml:3:68 controller.coordination.etcd[3]: expected an http:// or https:// URL with a port, such as http://127.0.0.1:2379, got 'http://127.0.0.1:2379/v3'");

    [Fact]
    public void Parse_EtcdEmpty_AsksForOneUrl() => AssertErrors(
        Coordinated("etcd: []\ncluster: shop"),
        "understudy.yaml:3:11 controller.coordination.etcd: expected at least one etcd URL");

    [Fact]
    public void Parse_EtcdMixingSchemes_IsRefused() => AssertErrors(
        Coordinated("etcd: [http://127.0.0.1:2379, https://127.0.0.1:2380]\ncluster: shop"),
        "understudy.yaml:3:11 controller.coordination.etcd: mixes http:// and https://; use one for every endpoint");

    [Theory]
    [InlineData("1s")]
    [InlineData("1500ms")]
    [InlineData("0")]
    [InlineData("2500ms")]
    public void Parse_LeaseNotWholeSecondsOfAtLeastTwo_IsRefused(string lease) => AssertErrors(
        Coordinated($"etcd: [http://127.0.0.1:2379]\ncluster: shop\nlease: {lease}"),
        $"understudy.yaml:5:12 controller.coordination.lease: must be whole seconds, at least 2s, as etcd grants no shorter lease (got {lease})");

    [Theory]
    [InlineData("Shop")]
    [InlineData("shop_eu")]
    [InlineData("\"\"")]
    [InlineData("a-cluster-name-that-is-longer-than-sixty-three-characters-in-all")]
    public void Parse_BadClusterName_IsRefused(string cluster) => AssertErrors(
        Coordinated($"etcd: [http://127.0.0.1:2379]\ncluster: {cluster}"),
        $"understudy.yaml:4:14 controller.coordination.cluster: expected 1 to 63 lowercase letters, digits and '-' (got '{cluster.Trim('"')}')");

    [Fact]
    public void Parse_UsernameWithoutPassword_AsksForBoth() => AssertErrors(
        Coordinated("etcd: [http://127.0.0.1:2379]\ncluster: shop\nusername: understudy"),
        "understudy.yaml:5:5 controller.coordination.username: requires password as well");

    [Fact]
    public void Parse_UnknownCoordinationKey_ListsAcceptedKeys() => AssertErrors(
        Coordinated("etcd: [http://127.0.0.1:2379]\ncluster: shop\nttl: 2s"),
        "understudy.yaml:5:5 controller.coordination.ttl: unknown key (accepted: etcd, cluster, lease, username, password, tls)");

    [Fact]
    public void Parse_TlsFilesMissing_NamesEachPathAndTheMissingKey() => AssertErrors(
        Coordinated("etcd: [https://127.0.0.1:2379]\ncluster: shop\ntls: { ca: no-ca.pem, cert: /nonexistent/client.pem }"),
        $"understudy.yaml:5:16 controller.coordination.tls.ca: no such file (looked for {Path.Combine(Folder, "no-ca.pem")})",
        "understudy.yaml:5:27 controller.coordination.tls.cert: requires key as well",
        "understudy.yaml:5:33 controller.coordination.tls.cert: no such file (looked for /nonexistent/client.pem)");

    [Fact]
    public void Parse_TlsWithHttpUrls_IsRefused() => AssertErrors(
        Coordinated("etcd: [http://127.0.0.1:2379]\ncluster: shop\ntls: {}"),
        "understudy.yaml:5:5 controller.coordination.tls: TLS needs https:// etcd URLs");

    [Fact]
    public void Parse_EmptyPasswordFromEnvironment_IsRefusedWithoutQuotingIt()
    {
        ConfigResult result = Parse(Coordinated("etcd: [http://127.0.0.1:2379]\ncluster: shop\nusername: u\npassword: \"${PW}\""), new() { ["PW"] = " " });

        Assert.Equal(["understudy.yaml:6:15 controller.coordination.password: the password is empty"], result.Errors.Select(e => e.ToString()));
    }
}

public partial class ConfigLoaderTests
{
    [Fact]
    public void Parse_FailoverQuorum_ReadWithCoordination_NullIsAMajority()
    {
        string coordinated = Coordinated("etcd: [http://127.0.0.1:2379]\ncluster: shop");
        Assert.Null(AssertValid(coordinated).Services[0].Failover.Quorum);
        Assert.Equal(2, AssertValid(coordinated + "\n    failover: { mode: automatic, quorum: 2 }").Services[0].Failover.Quorum);
    }

    [Fact]
    public void Parse_FailoverQuorumAboveOneWithoutCoordination_IsRefused() => AssertErrors(
        Web("failover: { mode: automatic, quorum: 2 }"),
        "understudy.yaml:1:1 services.web.failover.quorum: a quorum of 2 instances needs controller.coordination (several controllers); a single controller decides alone");

    [Fact]
    public void Parse_FailoverQuorumOutOfRange_SaysTheRange() => AssertErrors(
        Coordinated("etcd: [http://127.0.0.1:2379]\ncluster: shop") + "\n    failover: { mode: automatic, quorum: 0 }",
        "understudy.yaml:12:42 services.web.failover.quorum: must be from 1 to 99 (got 0)");
}
