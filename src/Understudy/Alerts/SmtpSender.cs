using System.Net;
using System.Net.Mail;
using System.Text;
using Understudy.Core.Alerts;
using Understudy.Core.Topology;

namespace Understudy.Alerts;

/// <summary>
/// Mail through the BCL's SmtpClient (MailKit does not restore here). EnableSsl is STARTTLS on a
/// plain port: the connection is upgraded before credentials or mail are sent.
/// </summary>
internal sealed class SmtpSender(EmailChannelSpec spec) : IAlertSender
{
    public async Task SendAsync(Notification n, CancellationToken ct)
    {
        var (subject, body) = AlertPayloads.Email(n);
        using var message = new MailMessage
        {
            From = new MailAddress(spec.From), Subject = subject, Body = body, SubjectEncoding = Encoding.UTF8, BodyEncoding = Encoding.UTF8, HeadersEncoding = Encoding.UTF8,
        };
        foreach (string to in spec.To) message.To.Add(to);
        // Headers of their own, so mail rules can sort alerts without parsing the subject.
        message.Headers.Add("X-Understudy-Kind", n.Kind);
        message.Headers.Add("X-Understudy-Dedup-Key", n.DedupKey);
        using var client = new SmtpClient(spec.Smtp.Host, spec.Smtp.Port) { EnableSsl = spec.StartTls, DeliveryMethod = SmtpDeliveryMethod.Network };
        if (spec.Username is not null) client.Credentials = new NetworkCredential(spec.Username, spec.Password);
        try
        {
            await client.SendMailAsync(message, ct);
        }
        catch (SmtpException e)
        {
            // 4xx replies and connection failures (GeneralFailure, -1) are transient; 5xx replies are final.
            throw new AlertDeliveryException(e.InnerException is { } inner ? $"{e.Message} ({inner.Message})" : e.Message, retryable: (int)e.StatusCode < 500);
        }
    }
}
