using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace CommerceManager.Api;

/// <summary>
/// Reads EP request bodies (<c>{"data": {...}}</c>) into explicit fields. Nothing binds by reflection, so unknown and
/// read-only fields (id, timestamps, password hashes) are simply never read.
/// </summary>
public static class ApiJson
{
    public const long MaxBodyBytes = 1024 * 1024;

    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    };

    public static async Task<JsonObject> ReadDataAsync(HttpRequest request, CancellationToken ct)
    {
        if (!request.HasJsonContentType())
        {
            throw new ApiException(415, "Unsupported Media Type", ApiErrors.DetailFor(415));
        }
        JsonNode? root;
        try
        {
            root = await JsonNode.ParseAsync(request.Body, documentOptions: new JsonDocumentOptions { MaxDepth = 32 }, cancellationToken: ct);
        }
        catch (JsonException ex)
        {
            throw new ApiException(400, "Bad Request", $"The request body is not valid JSON: {ex.Message}");
        }
        if (root is not JsonObject obj || obj["data"] is not JsonObject data)
        {
            throw new ApiException(400, "Bad Request", "The request body must be a JSON object of the form {\"data\": {…}}.");
        }
        return data;
    }

    /// <summary>Requires <c>data.type</c> to be <paramref name="type"/>, as EP does.</summary>
    public static void RequireType(JsonObject data, string type, int status = 400)
    {
        if (data["type"] is not JsonValue v || !v.TryGetValue<string>(out var actual) || actual != type)
        {
            throw new ApiException(status, ApiErrors.TitleFor(status), $"The type field is required and must be '{type}'.", "data.type");
        }
    }

    /// <summary>A string field: absent, null or a string; anything else is an error for that field.</summary>
    public static (bool Present, string? Value) String(JsonObject data, string name, List<ApiError> errors, int status)
    {
        if (!data.TryGetPropertyValue(name, out var node))
        {
            return (false, null);
        }
        if (node is null)
        {
            return (true, null);
        }
        if (node is JsonValue value && value.TryGetValue<string>(out var s))
        {
            return (true, s);
        }
        errors.Add(new ApiError(status, ApiErrors.TitleFor(status), $"{name} must be a string.", $"data.{name}"));
        return (true, null);
    }

    public static (bool Present, long? Value) Integer(JsonObject data, string name, List<ApiError> errors, int status)
    {
        if (!data.TryGetPropertyValue(name, out var node) || node is null)
        {
            return (node is null && data.ContainsKey(name), null);
        }
        if (node is JsonValue value && value.TryGetValue<long>(out var l))
        {
            return (true, l);
        }
        if (node is JsonValue d && d.TryGetValue<double>(out var dbl) && Math.Abs(dbl % 1) < double.Epsilon && dbl is >= long.MinValue and <= long.MaxValue)
        {
            return (true, (long)dbl);
        }
        errors.Add(new ApiError(status, ApiErrors.TitleFor(status), $"{name} must be an integer.", $"data.{name}"));
        return (true, null);
    }

    /// <summary>EP's <c>source</c> for a field: <c>data.first_name</c> for FirstName, <c>data.billing_address.line_1</c> for BillingAddress.Line1.</summary>
    public static string Source(string propertyPath) =>
        propertyPath.StartsWith(CustomFields.CustomFieldService.SourcePrefix, StringComparison.Ordinal)
            ? "data." + propertyPath[CustomFields.CustomFieldService.SourcePrefix.Length..]
            : "data." + string.Join('.', propertyPath.Split('.').Select(Snake));

    public static string Snake(string name)
    {
        var sb = new StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (char.IsUpper(c))
            {
                if (i > 0)
                {
                    sb.Append('_');
                }
                sb.Append(char.ToLowerInvariant(c));
            }
            else if (char.IsDigit(c) && i > 0 && !char.IsDigit(name[i - 1]))
            {
                sb.Append('_').Append(c);
            }
            else
            {
                sb.Append(c);
            }
        }
        return sb.ToString();
    }

    /// <summary>ISO 8601 in UTC with a Z, as EP writes timestamps.</summary>
    public static string Timestamp(DateTime utc) => utc.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>EP's <c>meta.timestamps</c>: <c>{"created_at","updated_at"}</c>.</summary>
    public static JsonObject Timestamps(DateTime created, DateTime updated) => new()
    {
        ["created_at"] = Timestamp(created),
        ["updated_at"] = Timestamp(updated),
    };

    /// <summary>A single resource response: <c>{"data": …}</c>.</summary>
    public static IResult Data(JsonNode data, int status = 200) => TypedResults.Json(new JsonObject { ["data"] = data }, statusCode: status);
}
