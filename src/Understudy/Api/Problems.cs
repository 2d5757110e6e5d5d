using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Understudy.Core.Failover;
using Understudy.Failover;
using Understudy.Hosting;

namespace Understudy.Api;

/// <summary>The API's error answers: a JSON problem body whose detail names the field or thing at fault.</summary>
public static class Problems
{
    /// <summary>Bodies are small JSON objects; anything larger is refused before it is read.</summary>
    public const long MaxBodyBytes = 64 * 1024;

    /// <summary>An unknown field is refused, so a misspelt <c>dry_run</c> never carries a change out for real.</summary>
    private static readonly JsonSerializerOptions Strict = new(ApiJson.Options) { UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow };

    public static ProblemHttpResult Bad(string detail) => TypedResults.Problem(detail, statusCode: 400, title: "Bad request");

    public static ProblemHttpResult NotFound(string detail) => TypedResults.Problem(detail, statusCode: 404, title: "Not found");

    public static ProblemHttpResult Conflict(string detail) => TypedResults.Problem(detail, statusCode: 409, title: "Conflict");

    public static ProblemHttpResult Of(Refusal refusal) => refusal.Kind switch
    {
        RefusalKind.Forbidden => TypedResults.Problem(refusal.Message, statusCode: 403, title: "Forbidden"),
        RefusalKind.NotFound => NotFound(refusal.Message),
        _ => Conflict(refusal.Message),
    };

    public static ProblemHttpResult? UnknownService(Controller controller, string service, out ServiceRuntime runtime)
    {
        runtime = controller.Services.FirstOrDefault(s => s.Spec.Name == service)!;
        return runtime is null
            ? NotFound($"service: no service '{service}' (services: {string.Join(", ", controller.Services.Select(s => s.Spec.Name))})")
            : null;
    }

    /// <summary>
    /// Reads a JSON body into <typeparamref name="T"/>: an empty body is an empty object; malformed JSON, a
    /// wrong type or an oversize body is a 400 or 413 naming the problem, never a 500.
    /// </summary>
    public static async Task<(T? Value, ProblemHttpResult? Problem)> ReadBodyAsync<T>(HttpRequest request, CancellationToken ct)
    {
        if (request.ContentLength is > MaxBodyBytes) return (default, TooLarge());
        using var buffer = new MemoryStream();
        try
        {
            byte[] chunk = new byte[8192];
            int read;
            while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
            {
                if (buffer.Length + read > MaxBodyBytes) return (default, TooLarge());
                buffer.Write(chunk, 0, read);
            }
        }
        catch (BadHttpRequestException e)
        {
            return (default, TypedResults.Problem($"body: {e.Message}", statusCode: e.StatusCode, title: "Bad request"));
        }
        if (buffer.Length == 0) buffer.Write("{}"u8);
        // The parser leaves strings' bytes unchecked until one is read, and reading a bad one throws: check them all here.
        if (!System.Text.Unicode.Utf8.IsValid(buffer.GetBuffer().AsSpan(0, (int)buffer.Length)))
            return (default, Bad("body: not UTF-8 text; JSON is sent as UTF-8"));
        try
        {
            buffer.Position = 0;
            // A key given twice is refused: which one counts would be the parser's choice, not the caller's
            // ("dry_run": true, "dry_run": false made a real request).
            using JsonDocument doc = await JsonDocument.ParseAsync(buffer, new JsonDocumentOptions { AllowDuplicateProperties = false }, ct);
            if (doc.RootElement.ValueKind != JsonValueKind.Object) return (default, Bad("body: expected a JSON object"));
            return (doc.RootElement.Deserialize<T>(Strict), null);
        }
        catch (JsonException e) when (e.Message.StartsWith("Duplicate property", StringComparison.Ordinal))
        {
            string key = e.Message.Split('\'') is [_, var name, ..] ? name : "a key";
            return (default, Bad($"body: {key}: given twice; give each key once"));
        }
        catch (JsonException e)
        {
            return (default, Bad($"body: {(e.Path is { Length: > 1 } path ? $"{path[2..]}: " : "")}expected valid JSON of the right types ({e.Message.Split(" Path:")[0]})"));
        }
    }

    private static ProblemHttpResult TooLarge() =>
        TypedResults.Problem($"body: larger than {MaxBodyBytes / 1024} KiB", statusCode: 413, title: "Payload too large");
}
