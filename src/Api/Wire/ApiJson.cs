using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using CommerceManager.CustomFields;

namespace CommerceManager.Api.Wire;

/// <summary>The API's JSON conventions: snake_case names, EP timestamps, and EP's <c>source</c> for a field.</summary>
public static class ApiJson
{
    public static readonly JsonSerializerOptions Options = Configure(new JsonSerializerOptions(JsonSerializerDefaults.Web));

    /// <summary>Applies the API's conventions to a set of serializer options (the app's HTTP JSON options use the same).</summary>
    public static JsonSerializerOptions Configure(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
        options.DefaultIgnoreCondition = JsonIgnoreCondition.Never;
        return options;
    }

    /// <summary>EP's <c>source</c> for a validator's property path: <c>data.first_name</c> for FirstName, <c>data.billing_address.line_1</c> for BillingAddress.Line1.</summary>
    public static string Source(string propertyPath) =>
        propertyPath.StartsWith(CustomFieldValues.SourcePrefix, StringComparison.Ordinal)
            ? "data." + propertyPath[CustomFieldValues.SourcePrefix.Length..]
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
}

/// <summary>EP's <c>meta.timestamps</c>.</summary>
public sealed record Timestamps(string CreatedAt, string UpdatedAt)
{
    public static Timestamps Of(DateTime created, DateTime updated) => new(ApiJson.Timestamp(created), ApiJson.Timestamp(updated));
}

/// <summary><c>meta</c> with only timestamps, as most EP resources have.</summary>
public sealed record TimestampsMeta(Timestamps Timestamps)
{
    public static TimestampsMeta Of(DateTime created, DateTime updated) => new(Timestamps.Of(created, updated));
}

/// <summary>A single resource: <c>{"data": …}</c>.</summary>
public sealed record DataResponse<T>(T Data);

/// <summary>A relationship to one resource: <c>{"data": {"type", "id"}}</c>.</summary>
public sealed record Relationship(ResourceRef? Data);

public sealed record ResourceRef(string Type, string Id);

public sealed record ManyRelationship(IReadOnlyList<ResourceRef> Data);

public sealed record SelfLink(string Self);

public static class ApiLinks
{
    /// <summary>An absolute URL for a path of this API, as EP writes its links (scheme and host as the caller reached us).</summary>
    public static string Absolute(HttpRequest request, string path) => $"{request.Scheme}://{request.Host}{request.PathBase}{path}";

    public static SelfLink Self(HttpRequest request, string path) => new(Absolute(request, path));
}
