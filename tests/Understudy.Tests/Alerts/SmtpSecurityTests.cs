using System.Collections.Immutable;
using MailKit.Security;
using Understudy.Alerts;
using Understudy.Core.Topology;

namespace Understudy.Tests.Alerts;

/// <summary>Issue 13 item 15: implicit TLS on 465, STARTTLS (required) elsewhere, the clear only when asked for.</summary>
public class SmtpSecurityTests
{
    [Theory]
    [InlineData(465, true, SecureSocketOptions.SslOnConnect)]
    [InlineData(587, true, SecureSocketOptions.StartTls)]
    [InlineData(25, true, SecureSocketOptions.StartTls)]
    [InlineData(25, false, SecureSocketOptions.None)]
    public void Security_ByPortAndStartTls(int port, bool startTls, SecureSocketOptions expected)
    {
        var spec = new EmailChannelSpec("alerts[0].email", AlertTopics.All, TimeSpan.Zero, new HostPort("smtp.example.com", port),
            "understudy@example.com", ImmutableArray.Create("oncall@example.com"), null, null, startTls);

        Assert.Equal(expected, SmtpSender.Security(spec));
    }
}
