using Microsoft.AspNetCore.Http;
using Understudy.Cluster;

namespace Understudy.Tests.Cluster;

/// <summary>Which calls a follower forwards to the leader: the writes it decides on, site operations included; never reads.</summary>
public class LeaderForwardingTests
{
    [Theory]
    [InlineData("POST", "/api/sites/east/failover", true)]
    [InlineData("POST", "/api/sites/operations/s-0000beef/approve", true)]
    [InlineData("POST", "/api/sites/operations/s-0000beef/reject", true)]
    [InlineData("POST", "/api/requests/r-0000beef/approve", true)]
    [InlineData("POST", "/api/drills/requests", true)]
    [InlineData("POST", "/api/drills/requests/d-0000beef/approve", true)]
    [InlineData("POST", "/api/drills/authorize", true)]
    [InlineData("GET", "/api/drills/requests/d-0000beef", false)]
    [InlineData("GET", "/api/sites", false)]
    [InlineData("GET", "/api/sites/operations/s-0000beef", false)]
    [InlineData("POST", "/api/services/web/members/web-a/faults", false)]
    public void IsForwarded_SiteWritesLikeRequestWrites_ReadsAnsweredHere(string method, string path, bool forwarded)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = method;
        context.Request.Path = path;

        Assert.Equal(forwarded, LeaderForwarding.IsForwarded(context.Request));
    }
}
