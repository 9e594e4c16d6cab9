using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace CommerceManager.Api.Wire;

/// <summary>
/// A request field that may be absent (EP's partial PUT: absent means "unchanged"), null, a value, or of the wrong JSON
/// type (reported as that field's error instead of failing the whole body).
/// </summary>
[JsonConverter(typeof(OptionalConverterFactory))]
public readonly record struct Optional<T> : IOptional
{
    public bool IsSet { get; private init; }
    /// <summary>Sent, but not a <typeparamref name="T"/>.</summary>
    public bool IsInvalid { get; private init; }
    public T? Value { get; private init; }

    public static Optional<T> Of(T? value) => new() { IsSet = true, Value = value };
    public static Optional<T> Invalid => new() { IsSet = true, IsInvalid = true };

    /// <summary>The value when sent, else <paramref name="current"/> (a partial update keeps what it does not send).</summary>
    public T? Or(T? current) => IsSet && !IsInvalid ? Value : current;

    public static implicit operator Optional<T>(T? value) => Of(value);
}

internal interface IOptional
{
    bool IsInvalid { get; }
}

public sealed class OptionalConverterFactory : JsonConverterFactory
{
    public override bool CanConvert(Type typeToConvert) => typeToConvert.IsGenericType && typeToConvert.GetGenericTypeDefinition() == typeof(Optional<>);

    public override JsonConverter CreateConverter(Type typeToConvert, JsonSerializerOptions options) =>
        (JsonConverter)Activator.CreateInstance(typeof(OptionalConverter<>).MakeGenericType(typeToConvert.GetGenericArguments()[0]))!;
}

public sealed class OptionalConverter<T> : JsonConverter<Optional<T>>
{
    public override bool HandleNull => true;

    public override Optional<T> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var node = JsonNode.Parse(ref reader);
        if (node is null)
        {
            return Optional<T>.Of(default);
        }
        return TryConvert(node, options, out var value) ? Optional<T>.Of(value) : Optional<T>.Invalid;
    }

    private static bool TryConvert(JsonNode node, JsonSerializerOptions options, out T? value)
    {
        value = default;
        object? result = null;
        var target = Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T);
        switch (node)
        {
            case JsonValue v when target == typeof(string) && v.GetValueKind() == JsonValueKind.String:
                result = v.GetValue<string>();
                break;
            case JsonValue v when target == typeof(bool) && v.GetValueKind() is JsonValueKind.True or JsonValueKind.False:
                result = v.GetValue<bool>();
                break;
            case JsonValue v when target == typeof(long) && v.GetValueKind() == JsonValueKind.Number:
                if (v.TryGetValue<long>(out var l))
                {
                    result = l;
                }
                else if (v.TryGetValue<double>(out var d) && Math.Abs(d % 1) < double.Epsilon && d is >= long.MinValue and <= long.MaxValue)
                {
                    result = (long)d;
                }
                break;
            case JsonValue v when target == typeof(double) && v.GetValueKind() == JsonValueKind.Number:
                result = v.GetValue<double>();
                break;
            case not null when target == typeof(JsonNode):
                result = node.DeepClone();
                break;
            case JsonObject or JsonArray when target.IsClass && target != typeof(string):
                try
                {
                    result = node.Deserialize(target, options);
                }
                catch (JsonException)
                {
                    return false;
                }
                break;
        }
        if (result is null)
        {
            return false;
        }
        value = (T)result;
        return true;
    }

    public override void Write(Utf8JsonWriter writer, Optional<T> value, JsonSerializerOptions options) =>
        JsonSerializer.Serialize(writer, value.Value, options);
}
