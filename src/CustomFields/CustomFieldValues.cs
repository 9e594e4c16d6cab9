using System.Text.Json;
using System.Text.Json.Nodes;
using CommerceManager.Data;
using FluentValidation;
using FluentValidation.Results;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;

namespace CommerceManager.CustomFields;

/// <summary>
/// Records' custom values: the fields each flow has (cached briefly) and the one path through which values are
/// validated and merged into a record, for the console and the API alike.
/// </summary>
public sealed class CustomFieldValues(IDbContextFactory<AppDbContext> dbFactory, IMemoryCache cache)
{
    /// <summary>Property paths of custom values in validation failures: <c>custom.&lt;slug&gt;</c>.</summary>
    public const string SourcePrefix = "custom.";

    // Every customer and address read needs its flow's fields: cache them briefly (other instances change them too).
    private static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(15);
    private static readonly object CacheKey = new();

    /// <summary>The flow's fields in order (disabled ones too); none when the flow does not exist or is disabled.</summary>
    public async Task<IReadOnlyList<FieldDefinition>> FieldsAsync(string flowSlug, CancellationToken ct = default)
    {
        var all = await cache.GetOrCreateAsync(CacheKey, async entry =>
        {
            entry.AbsoluteExpirationRelativeToNow = CacheFor;
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            var flows = await db.Flows.AsNoTracking().Include(f => f.Fields).ToListAsync(ct);
            return flows.ToDictionary(f => f.Slug, f => (IReadOnlyList<FieldDefinition>)(f.Enabled
                ? f.Fields.OrderBy(x => x.Order).ThenBy(x => x.CreatedAt).Select(x => FieldDefinition.From(x, f.Slug)).ToList()
                : []));
        });
        return all!.GetValueOrDefault(flowSlug) ?? [];
    }

    /// <summary>The flow's enabled fields in order: the ones forms and lists show.</summary>
    public async Task<IReadOnlyList<FieldDefinition>> EnabledFieldsAsync(string flowSlug, CancellationToken ct = default) =>
        (await FieldsAsync(flowSlug, ct)).Where(f => f.Enabled).ToList();

    /// <summary>Forgets the cached fields after the designer changed them.</summary>
    public void Invalidate() => cache.Remove(CacheKey);

    /// <summary>The enabled fields' values of a record: stored, or the default.</summary>
    public static IReadOnlyList<(FieldDefinition Field, JsonNode? Value)> Read(IReadOnlyList<FieldDefinition> fields, string? customData)
    {
        var stored = Parse(customData);
        return fields.Where(f => f.Enabled)
            .Select(f => (f, FieldValues.Display(f, stored.TryGetPropertyValue(f.Id.ToString(), out var v) ? v : null)))
            .ToList();
    }

    /// <summary>
    /// Validates <paramref name="incoming"/> values (by slug) against the flow's enabled fields and merges them into the
    /// record's stored JSON. On create, missing fields take their default, and a required field without one is an
    /// error. Unknown and disabled slugs are ignored; values of disabled or renamed fields are kept. Without
    /// <paramref name="byStore"/> (a storefront or customer), a value for a field customers may not edit is refused.
    /// </summary>
    public async Task<string?> MergeAsync(string flowSlug, string? existing, IReadOnlyDictionary<string, JsonNode?>? incoming, bool creating,
        CancellationToken ct = default, bool byStore = true)
    {
        var fields = await FieldsAsync(flowSlug, ct);
        var data = Parse(existing);
        var failures = new List<ValidationFailure>();
        foreach (var field in fields.Where(f => f.Enabled))
        {
            var key = field.Id.ToString();
            if (incoming is not null && incoming.TryGetValue(field.Slug, out var value))
            {
                if (!byStore && !field.CustomerEditable)
                {
                    failures.Add(new ValidationFailure(SourcePrefix + field.Slug, $"{field.Name} is set by the store, not by a storefront or customer."));
                    continue;
                }
                var error = FieldValues.Check(field, value, out var normalized);
                if (error is not null)
                {
                    failures.Add(new ValidationFailure(SourcePrefix + field.Slug, error));
                }
                else if (creating || data[key] is not null || field.Default is null || !JsonNode.DeepEquals(normalized, field.Default))
                {
                    data[key] = normalized;
                }
                // Else the record has no value and shows the default, and the default came back (a form or an API client
                // sends every value it read): no change, so nobody is credited with one and no open page is told of one.
            }
            else if (creating)
            {
                if (field.Default is not null)
                {
                    data[key] = field.Default.DeepClone();
                }
                else if (field.Required && (byStore || field.CustomerEditable))
                {
                    failures.Add(new ValidationFailure(SourcePrefix + field.Slug, $"{field.Name} is required."));
                }
            }
        }
        if (failures.Count > 0)
        {
            throw new ValidationException(failures);
        }
        // Keep nulls out of storage: "no value" and null read the same.
        foreach (var key in data.Where(p => p.Value is null).Select(p => p.Key).ToList())
        {
            data.Remove(key);
        }
        return data.Count == 0 ? null : data.ToJsonString();
    }

    /// <summary>
    /// Carries a record's values from one flow to another (a customer becoming an account): each value goes to the
    /// target flow's enabled field with the same slug when it fits that field's type and rules; the rest stay behind.
    /// </summary>
    public async Task<Func<string?, string?>> TranslatorAsync(string fromFlow, string toFlow, CancellationToken ct = default)
    {
        var targets = (await EnabledFieldsAsync(toFlow, ct)).ToDictionary(f => f.Slug, StringComparer.Ordinal);
        var pairs = (await FieldsAsync(fromFlow, ct)).Where(f => targets.ContainsKey(f.Slug))
            .Select(f => (From: f.Id.ToString(), To: targets[f.Slug])).ToList();
        return customData =>
        {
            if (pairs.Count == 0 || string.IsNullOrEmpty(customData))
            {
                return null;
            }
            var stored = Parse(customData);
            var carried = new JsonObject();
            foreach (var (from, to) in pairs)
            {
                if (stored.TryGetPropertyValue(from, out var value) && value is not null && FieldValues.Check(to, value, out var normalized) is null
                    && normalized is not null)
                {
                    carried[to.Id.ToString()] = normalized;
                }
            }
            return carried.Count == 0 ? null : carried.ToJsonString();
        };
    }

    public static JsonObject Parse(string? json)
    {
        if (string.IsNullOrEmpty(json))
        {
            return [];
        }
        try
        {
            return JsonNode.Parse(json) as JsonObject ?? [];
        }
        catch (JsonException)
        {
            return [];
        }
    }
}
