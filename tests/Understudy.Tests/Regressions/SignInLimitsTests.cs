using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Time.Testing;
using Understudy.Api.Auth;
using Understudy.Core.Journal;
using static Understudy.Tests.Testing.Services;

namespace Understudy.Tests.Regressions;

/// <summary>Issue 13, item 12: failed sign-ins are limited per client, counted, and journaled once per window.</summary>
public sealed class SignInLimitsTests : IDisposable
{
    private readonly FakeTimeProvider _time = new(T0);
    private readonly SignInLimits _limits;

    public SignInLimitsTests() => _limits = new SignInLimits(_time);

    private static DefaultHttpContext Request(string address, string? token = "guess-0123456789abcdef")
    {
        var context = new DefaultHttpContext { Connection = { RemoteIpAddress = IPAddress.Parse(address) } };
        if (token is not null) context.Request.Headers.Authorization = $"Bearer {token}";
        return context;
    }

    [Fact]
    public void RefusedFor_TenFailuresFromAClient_ItsRequestsWithATokenRefusedUntilTheMinuteEnds()
    {
        for (int i = 0; i < SignInLimits.Limit - 1; i++) _limits.Failed(Request("10.0.0.7"));
        _time.Advance(TimeSpan.FromSeconds(20));
        Assert.Null(_limits.RefusedFor(Request("10.0.0.7")));

        _limits.Failed(Request("10.0.0.7"));

        // Refused until the minute the first failure opened ends: 40 s more, the right token included.
        Assert.Equal(TimeSpan.FromSeconds(40), _limits.RefusedFor(Request("10.0.0.7", token: "the-right-token-0123456789")));
        // Without a token (a load balancer's /health) and from elsewhere: untouched.
        Assert.Null(_limits.RefusedFor(Request("10.0.0.7", token: null)));
        Assert.Null(_limits.RefusedFor(Request("10.0.0.8")));

        _time.Advance(TimeSpan.FromSeconds(40));
        Assert.Null(_limits.RefusedFor(Request("10.0.0.7")));
        _limits.Failed(Request("10.0.0.7")); // a new window, one failure in it
        Assert.Null(_limits.RefusedFor(Request("10.0.0.7")));
    }

    [Fact]
    public void Failed_ManyClients_ThoseWhoseWindowEndedAreForgottenAndTheRestStillCount()
    {
        for (int i = 0; i < SignInLimits.MaxClients - 1; i++) _limits.Failed(Request($"10.1.{i / 250}.{i % 250}"));
        for (int i = 0; i < SignInLimits.Limit; i++) _limits.Failed(Request("10.0.0.7"));
        _time.Advance(SignInLimits.Window);

        _limits.Failed(Request("10.0.0.9")); // past the limit of clients remembered: the ended windows go

        Assert.Equal(1, _limits.Clients);
        Assert.Null(_limits.RefusedFor(Request("10.0.0.7")));
        for (int i = 0; i < SignInLimits.Limit - 1; i++) _limits.Failed(Request("10.0.0.9"));
        Assert.NotNull(_limits.RefusedFor(Request("10.0.0.9")));
    }

    [Theory]
    [InlineData("192.0.2.10", "192.0.2.10")]
    [InlineData("::ffff:192.0.2.10", "192.0.2.10")]
    [InlineData("2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64")]
    [InlineData("::1", "::1")]
    public void ClientOf_Address_Ipv6CountsByItsSlash64(string address, string expected) =>
        Assert.Equal(expected, SignInLimits.ClientOf(IPAddress.Parse(address)));

    [Fact]
    public void Tally_OneRecordPerWindow_MostFailingClientsFirst_AtMostTenNamed()
    {
        var tally = new SignInTally();
        Assert.True(tally.Failed("10.0.0.1", At(0)));
        Assert.False(tally.Failed("10.0.0.1", At(1)));
        for (int i = 2; i <= 12; i++) tally.Failed($"10.0.1.{i}", At(i));
        Assert.False(tally.Limited(At(13)));

        ApiAuthFailed record = tally.Take(At(60))!;

        Assert.Equal((13, 1, 12, At(0), At(60)), (record.Count, record.Limited, record.ClientCount, record.Since, record.Time));
        Assert.Equal(ApiAuthFailed.MaxClients, record.Clients.Length);
        Assert.Equal("10.0.0.1", record.Clients[0]);
        Assert.Equal("13 failed sign-ins to the API since 12:00:00 from 10.0.0.1 (2), 10.0.1.10 (1), 10.0.1.11 (1) and 9 more; 1 request refused (429) meanwhile", record.Reason);
        Assert.Null(tally.Take(At(61)));
        Assert.True(tally.Failed("10.0.0.1", At(62)));
    }

    public void Dispose() => _limits.Dispose();
}
