using System.Collections.Concurrent;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace CommerceManager.Api.Wire;

/// <summary>What a request's <c>data</c> object says about itself: EP's <c>type</c>, and the status its field errors get.</summary>
public interface IRequestData
{
    /// <summary>The <c>data.type</c> EP requires, or null when the endpoint checks it itself.</summary>
    static abstract string? ResourceType { get; }

    /// <summary>EP answers a resource's field errors with 400 (addresses, carts, tokens) or 422 (customers, flows, fields).</summary>
    static abstract int FailureStatus { get; }

    /// <summary>Whether the object may also come without the <c>data</c> wrapper (EP's generated shopper SDK sends some bodies bare).</summary>
    static virtual bool AcceptsBare => false;
}

/// <summary>
/// An EP request body, <c>{"data": {…}}</c>, bound to the typed record <typeparamref name="T"/>: the same record the
/// OpenAPI document describes. Only the record's properties bind (no mass assignment of ids, timestamps or hashes);
/// a field of the wrong JSON type is that field's error, in EP's shape, with its <c>source</c>.
/// </summary>
public sealed partial class ApiBody<T> : IBindableFromHttpContext<ApiBody<T>> where T : class, IRequestData
{
    public const long MaxBytes = 1024 * 1024;

    public required T Data { get; init; }

    public static async ValueTask<ApiBody<T>?> BindAsync(HttpContext context, ParameterInfo parameter)
    {
        var request = context.Request;
        if (!request.HasJsonContentType())
        {
            throw new ApiException(415, "Unsupported Media Type", ApiErrors.DetailFor(415));
        }
        JsonNode? root;
        try
        {
            root = await JsonNode.ParseAsync(request.Body, documentOptions: new JsonDocumentOptions { MaxDepth = 32 }, cancellationToken: context.RequestAborted);
        }
        catch (JsonException ex)
        {
            throw new ApiException(400, "Bad Request", $"The request body is not valid JSON: {ex.Message}");
        }
        if (T.AcceptsBare && root is JsonObject bare && bare["data"] is null)
        {
            root = new JsonObject { ["data"] = bare.DeepClone() };
        }
        if (root is not JsonObject obj || obj["data"] is not JsonObject data)
        {
            throw new ApiException(400, "Bad Request", "The request body must be a JSON object of the form {\"data\": {…}}.");
        }
        if (T.ResourceType is { } type && (data["type"] is not JsonValue v || v.GetValueKind() != JsonValueKind.String || v.GetValue<string>() != type))
        {
            throw new ApiException(T.FailureStatus, ApiErrors.TitleFor(T.FailureStatus), $"The type field is required and must be '{type}'.", "data.type");
        }
        var value = data.Deserialize<T>(ApiJson.Options)!;
        var errors = new List<ApiError>();
        RequestShape.CollectInvalid(value, "data", T.FailureStatus, errors);
        ApiException.ThrowIfAny(errors, T.FailureStatus);
        return new ApiBody<T> { Data = value };
    }
}

/// <summary>Finds the fields of a bound request that arrived with the wrong JSON type.</summary>
internal static class RequestShape
{
    private static readonly ConcurrentDictionary<Type, (string Json, PropertyInfo Property)[]> Properties = new();

    public static void CollectInvalid(object? record, string path, int status, List<ApiError> errors)
    {
        if (record is null)
        {
            return;
        }
        foreach (var (json, property) in Properties.GetOrAdd(record.GetType(), Read))
        {
            var value = property.GetValue(record);
            var type = property.PropertyType;
            if (value is IOptional { IsInvalid: true })
            {
                var inner = type.GetGenericArguments()[0];
                errors.Add(new ApiError(status, ApiErrors.TitleFor(status), $"{json} must be {Expected(inner)}.", $"{path}.{json}"));
            }
            else if (value is not null && type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Optional<>))
            {
                var nested = type.GetProperty(nameof(Optional<object>.Value))!.GetValue(value);
                if (nested is IRequestData)
                {
                    CollectInvalid(nested, $"{path}.{json}", status, errors);
                }
            }
        }
    }

    private static (string, PropertyInfo)[] Read(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.PropertyType.IsGenericType && p.PropertyType.GetGenericTypeDefinition() == typeof(Optional<>))
            .Select(p => (p.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name ?? ApiJson.Options.PropertyNamingPolicy!.ConvertName(p.Name), p))
            .ToArray();

    private static string Expected(Type t) => (Nullable.GetUnderlyingType(t) ?? t) switch
    {
        var x when x == typeof(string) => "a string",
        var x when x == typeof(long) => "an integer",
        var x when x == typeof(double) => "a number",
        var x when x == typeof(bool) => "true or false",
        var x when x.IsAssignableTo(typeof(System.Collections.IEnumerable)) => "a list",
        _ => "an object",
    };
}
