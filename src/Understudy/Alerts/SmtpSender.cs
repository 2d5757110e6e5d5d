using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;
using Understudy.Core.Alerts;
using Understudy.Core.Topology;

namespace Understudy.Alerts;

/// <summary>
/// Mail through MailKit: implicit TLS on port 465 (the connection is TLS from its first byte), STARTTLS elsewhere
/// unless <c>starttls: false</c> — the upgrade is required, so credentials and mail never go out in the clear when it
/// fails. One connection per notification: alerts are rare, and a long-lived one would go stale between them.
/// </summary>
internal sealed class SmtpSender(EmailChannelSpec spec) : IAlertSender
{
    public static SecureSocketOptions Security(EmailChannelSpec spec) =>
        spec.Smtp.Port == 465 ? SecureSocketOptions.SslOnConnect : spec.StartTls ? SecureSocketOptions.StartTls : SecureSocketOptions.None;

    public async Task SendAsync(Notification n, CancellationToken ct)
    {
        var (subject, body) = AlertPayloads.Email(n);
        using var message = new MimeMessage { Subject = subject, Body = new TextPart("plain") { Text = body } };
        message.From.Add(MailboxAddress.Parse(spec.From));
        foreach (string to in spec.To) message.To.Add(MailboxAddress.Parse(to));
        // Headers of their own, so mail rules can sort alerts without parsing the subject.
        message.Headers.Add("X-Understudy-Kind", n.Kind);
        message.Headers.Add("X-Understudy-Dedup-Key", n.DedupKey);

        using var client = new SmtpClient();
        try
        {
            await client.ConnectAsync(spec.Smtp.Host, spec.Smtp.Port, Security(spec), ct);
            if (spec.Username is not null) await client.AuthenticateAsync(spec.Username, spec.Password ?? "", ct);
            await client.SendAsync(message, ct);
            await client.DisconnectAsync(quit: true, ct);
        }
        // A 5xx reply (a refused sender, recipient or message) or refused credentials are final; 4xx replies, protocol
        // and connection failures are worth another try.
        catch (SmtpCommandException e)
        {
            throw new AlertDeliveryException($"SMTP {(int)e.StatusCode}: {e.Message}", retryable: (int)e.StatusCode < 500);
        }
        catch (NotSupportedException e)
        {
            // STARTTLS required but not offered: sending in the clear instead would leak the mail and the password.
            throw new AlertDeliveryException($"the SMTP server does not offer STARTTLS, so nothing was sent ({e.Message}); set starttls: false only for a relay on a trusted network", retryable: false);
        }
        catch (AuthenticationException e)
        {
            throw new AlertDeliveryException($"SMTP authentication refused: {e.Message}", retryable: false);
        }
        catch (Exception e) when (e is SmtpProtocolException or IOException or System.Net.Sockets.SocketException or SslHandshakeException or ServiceNotConnectedException)
        {
            throw new AlertDeliveryException(e.Message, retryable: true);
        }
    }
}
