using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using CommerceManager.Data;
using CommerceManager.Infrastructure;
using CommerceManager.Security;
using FluentValidation;
using FluentValidation.Results;
using Microsoft.EntityFrameworkCore;

namespace CommerceManager.CustomFields;

public sealed record FlowDto(Guid Id, string Slug, string Name, string Description, bool Enabled, DateTime CreatedAt, DateTime UpdatedAt, IReadOnlyList<Guid> FieldIds);

public sealed class FlowInput
{
    public string? Slug { get; set; }
    public string? Name { get; set; }
    public string? Description { get; set; }
    public bool Enabled { get; set; } = true;
}

public sealed class FieldInput
{
    public string Name { get; set; } = "";
    public string Slug { get; set; } = "";
    public string Description { get; set; } = "";
    public FieldType Type { get; set; } = FieldType.String;
    public bool Required { get; set; }
    public bool Enabled { get; set; } = true;
    public bool OmitNull { get; set; }
    public int? Order { get; set; }
    public JsonNode? Default { get; set; }
    public FieldRules Rules { get; set; } = new();

    public static FieldInput From(FieldDefinition f) => new()
    {
        Name = f.Name, Slug = f.Slug, Description = f.Description, Type = f.Type, Required = f.Required, Enabled = f.Enabled,
        OmitNull = f.OmitNull, Order = f.Order, Default = f.Default?.DeepClone(), Rules = f.Rules,
    };
}

/// <summary>
/// Flows and fields: the designer's rules (reserved slugs, 100 fields, required fields need a default once records
/// exist, valid regular expressions) and the one path through which records' custom values are validated and merged.
/// </summary>
public sealed class CustomFieldService(IDbContextFactory<AppDbContext> dbFactory, TimeProvider clock)
{
    public const int MaxFieldsPerFlow = 100;
    public const string SourcePrefix = "custom.";

    private static readonly HashSet<string> ReservedForAll = ["id", "type", "meta", "links", "relationships"];
    private static readonly Dictionary<string, HashSet<string>> Reserved = new()
    {
        [Flow.Customers] = [.. ReservedForAll, "name", "email", "password", "external_ref"],
        [Flow.Addresses] = [.. ReservedForAll, "name", "first_name", "last_name", "company_name", "line_1", "line_2", "city", "region",
            "postcode", "county", "country", "phone_number", "instructions"],
    };

    // Every customer and address read needs its flow's fields: cache them, briefly (other instances change them too).
    private readonly Lock cacheLock = new();
    private Dictionary<string, IReadOnlyList<FieldDefinition>>? cache;
    private DateTime cacheUntil;

    /// <summary>The flow's fields in order (disabled ones too); none when the flow does not exist or is disabled.</summary>
    public async Task<IReadOnlyList<FieldDefinition>> FieldsAsync(string flowSlug, CancellationToken ct = default)
    {
        lock (cacheLock)
        {
            if (cache is not null && cacheUntil > DateTime.UtcNow)
            {
                return cache.GetValueOrDefault(flowSlug) ?? [];
            }
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var flows = await db.Flows.AsNoTracking().Include(f => f.Fields).ToListAsync(ct);
        var fresh = flows.ToDictionary(f => f.Slug, f => (IReadOnlyList<FieldDefinition>)(f.Enabled
            ? f.Fields.OrderBy(x => x.Order).ThenBy(x => x.CreatedAt).Select(x => ToDefinition(x, f.Slug)).ToList()
            : []));
        lock (cacheLock)
        {
            cache = fresh;
            cacheUntil = DateTime.UtcNow.AddSeconds(15);
        }
        return fresh.GetValueOrDefault(flowSlug) ?? [];
    }

    /// <summary>The flow's enabled fields in order: the ones forms and lists show.</summary>
    public async Task<IReadOnlyList<FieldDefinition>> EnabledFieldsAsync(string flowSlug, CancellationToken ct = default) =>
        (await FieldsAsync(flowSlug, ct)).Where(f => f.Enabled).ToList();

    private void Invalidate()
    {
        lock (cacheLock)
        {
            cache = null;
        }
    }

    // ---- Records' values ---------------------------------------------------------------------------------

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
    /// error. Unknown and disabled slugs are ignored; values of disabled or renamed fields are kept.
    /// </summary>
    public async Task<string?> MergeAsync(string flowSlug, string? existing, IReadOnlyDictionary<string, JsonNode?>? incoming, bool creating, CancellationToken ct = default)
    {
        var fields = await FieldsAsync(flowSlug, ct);
        var data = Parse(existing);
        var failures = new List<ValidationFailure>();
        foreach (var field in fields.Where(f => f.Enabled))
        {
            var key = field.Id.ToString();
            if (incoming is not null && incoming.TryGetValue(field.Slug, out var value))
            {
                var error = FieldValues.Check(field, value, out var normalized);
                if (error is not null)
                {
                    failures.Add(new ValidationFailure(SourcePrefix + field.Slug, error));
                }
                else
                {
                    data[key] = normalized;
                }
            }
            else if (creating)
            {
                if (field.Default is not null)
                {
                    data[key] = field.Default.DeepClone();
                }
                else if (field.Required)
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

    // ---- Flows -------------------------------------------------------------------------------------------

    public async Task<IReadOnlyList<FlowDto>> ListFlowsAsync(ClaimsPrincipal user, CancellationToken ct = default)
    {
        Access.Require(user, Permission.ReadCustomers);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var flows = await db.Flows.AsNoTracking().Include(f => f.Fields).OrderBy(f => f.Slug).ToListAsync(ct);
        return flows.Select(ToDto).ToList();
    }

    public async Task<FlowDto?> GetFlowAsync(ClaimsPrincipal user, string idOrSlug, CancellationToken ct = default)
    {
        Access.Require(user, Permission.ReadCustomers);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var query = db.Flows.AsNoTracking().Include(f => f.Fields);
        var flow = Guid.TryParse(idOrSlug, out var id)
            ? await query.FirstOrDefaultAsync(f => f.Id == id, ct)
            : await query.FirstOrDefaultAsync(f => f.Slug == idOrSlug, ct);
        return flow is null ? null : ToDto(flow);
    }

    public async Task<Outcome<FlowDto>> CreateFlowAsync(ClaimsPrincipal user, FlowInput input, CancellationToken ct = default)
    {
        Access.Require(user, Permission.DesignFields);
        var slug = input.Slug?.Trim() ?? "";
        if (!Flow.Slugs.Contains(slug))
        {
            Fail("Slug", $"The flow's slug must be {Flow.Customers} (extends customers) or {Flow.Addresses} (extends addresses).");
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (await db.Flows.AnyAsync(f => f.Slug == slug, ct))
        {
            return Outcome.Duplicate<FlowDto>("Slug", $"The {slug} flow already exists.");
        }
        var now = clock.UtcNow();
        var flow = new Flow
        {
            Id = Guid.CreateVersion7(), Slug = slug, Name = string.IsNullOrWhiteSpace(input.Name) ? Title(slug) : input.Name.Trim(),
            Description = input.Description?.Trim() ?? "", Enabled = input.Enabled, CreatedAt = now, UpdatedAt = now,
        };
        db.Flows.Add(flow);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException ex) when (DbErrors.IsUniqueViolation(ex))
        {
            return Outcome.Duplicate<FlowDto>("Slug", $"The {slug} flow already exists.");
        }
        Invalidate();
        return ToDto(flow);
    }

    public async Task<Outcome<FlowDto>> UpdateFlowAsync(ClaimsPrincipal user, Guid id, FlowInput input, CancellationToken ct = default)
    {
        Access.Require(user, Permission.DesignFields);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var flow = await db.Flows.Include(f => f.Fields).FirstOrDefaultAsync(f => f.Id == id, ct);
        if (flow is null)
        {
            return Outcome.NotFound<FlowDto>();
        }
        if (input.Slug is { } slug && slug.Trim() != flow.Slug)
        {
            Fail("Slug", "A flow's slug cannot change.");
        }
        if (!string.IsNullOrWhiteSpace(input.Name))
        {
            flow.Name = input.Name.Trim();
        }
        if (input.Description is not null)
        {
            flow.Description = input.Description.Trim();
        }
        flow.Enabled = input.Enabled;
        flow.UpdatedAt = clock.UtcNow();
        await db.SaveChangesAsync(ct);
        Invalidate();
        return ToDto(flow);
    }

    /// <summary>Deletes the flow and its fields. Stored values stay in the records but are no longer read.</summary>
    public async Task<bool> DeleteFlowAsync(ClaimsPrincipal user, Guid id, CancellationToken ct = default)
    {
        Access.Require(user, Permission.DesignFields);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var deleted = await db.Flows.Where(f => f.Id == id).ExecuteDeleteAsync(ct) > 0;
        Invalidate();
        return deleted;
    }

    /// <summary>The flow with this slug, created (enabled) if it does not exist yet: what the designer's switch does.</summary>
    public async Task<FlowDto> EnsureFlowAsync(ClaimsPrincipal user, string slug, bool enabled, CancellationToken ct = default)
    {
        Access.Require(user, Permission.DesignFields);
        var existing = await GetFlowAsync(user, slug, ct);
        if (existing is null)
        {
            var created = await CreateFlowAsync(user, new FlowInput { Slug = slug, Enabled = enabled }, ct);
            return created.Value ?? (await GetFlowAsync(user, slug, ct))!;
        }
        return existing.Enabled == enabled
            ? existing
            : (await UpdateFlowAsync(user, existing.Id, new FlowInput { Enabled = enabled }, ct)).Value!;
    }

    // ---- Fields ------------------------------------------------------------------------------------------

    public async Task<IReadOnlyList<FieldDefinition>> ListFieldsAsync(ClaimsPrincipal user, Guid? flowId = null, CancellationToken ct = default)
    {
        Access.Require(user, Permission.ReadCustomers);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var flows = await db.Flows.AsNoTracking().Include(f => f.Fields).Where(f => flowId == null || f.Id == flowId).ToListAsync(ct);
        return flows.SelectMany(f => f.Fields.Select(x => ToDefinition(x, f.Slug)))
            .OrderBy(f => f.FlowSlug).ThenBy(f => f.Order).ThenBy(f => f.CreatedAt).ToList();
    }

    public async Task<FieldDefinition?> GetFieldAsync(ClaimsPrincipal user, Guid id, CancellationToken ct = default)
    {
        Access.Require(user, Permission.ReadCustomers);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var field = await db.Fields.AsNoTracking().FirstOrDefaultAsync(f => f.Id == id, ct);
        if (field is null)
        {
            return null;
        }
        var flowSlug = await db.Flows.Where(f => f.Id == field.FlowId).Select(f => f.Slug).FirstAsync(ct);
        return ToDefinition(field, flowSlug);
    }

    public async Task<Outcome<FieldDefinition>> CreateFieldAsync(ClaimsPrincipal user, Guid flowId, FieldInput input, CancellationToken ct = default)
    {
        Access.Require(user, Permission.DesignFields);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var flow = await db.Flows.Include(f => f.Fields).FirstOrDefaultAsync(f => f.Id == flowId, ct);
        if (flow is null)
        {
            return Outcome.NotFound<FieldDefinition>();
        }
        var slug = input.Slug.Trim();
        var failures = new List<ValidationFailure>();
        if (!Regex.IsMatch(slug, "^[A-Za-z0-9_-]{1,64}$"))
        {
            failures.Add(new("Slug", "The slug may use letters, digits, - and _ only (1–64 characters)."));
        }
        else if (Reserved[flow.Slug].Contains(slug.ToLowerInvariant()))
        {
            failures.Add(new("Slug", $"'{slug}' is reserved: the {flow.Slug} entity already has it."));
        }
        else if (flow.Fields.Any(f => string.Equals(f.Slug, slug, StringComparison.OrdinalIgnoreCase)))
        {
            failures.Add(new("Slug", $"The {flow.Slug} flow already has a field '{slug}'."));
        }
        if (flow.Fields.Count >= MaxFieldsPerFlow)
        {
            failures.Add(new("Flow", $"A flow has at most {MaxFieldsPerFlow} fields; delete one first."));
        }
        failures.AddRange(await CheckDesignAsync(db, flow, input, input.Type, ct));
        if (failures.Count > 0)
        {
            throw new ValidationException(failures);
        }
        var now = clock.UtcNow();
        var field = new Field
        {
            Id = Guid.CreateVersion7(), FlowId = flow.Id, Slug = slug, Type = input.Type, CreatedAt = now,
            Order = input.Order ?? (flow.Fields.Count == 0 ? 0 : flow.Fields.Max(f => f.Order) + 1),
        };
        Apply(field, input, now);
        db.Fields.Add(field);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException ex) when (DbErrors.IsUniqueViolation(ex))
        {
            return Outcome.Duplicate<FieldDefinition>("Slug", $"The {flow.Slug} flow already has a field '{slug}'.");
        }
        Invalidate();
        return ToDefinition(field, flow.Slug);
    }

    /// <summary>Changes everything but the type and the slug.</summary>
    public async Task<Outcome<FieldDefinition>> UpdateFieldAsync(ClaimsPrincipal user, Guid id, FieldInput input, CancellationToken ct = default)
    {
        Access.Require(user, Permission.DesignFields);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var field = await db.Fields.FirstOrDefaultAsync(f => f.Id == id, ct);
        if (field is null)
        {
            return Outcome.NotFound<FieldDefinition>();
        }
        var flow = await db.Flows.FirstAsync(f => f.Id == field.FlowId, ct);
        var failures = new List<ValidationFailure>();
        if (input.Type != field.Type)
        {
            failures.Add(new("Type", $"A field's type cannot change (it is {FieldDefinition.TypeName(field.Type)}): create a new field instead."));
        }
        if (!string.Equals(input.Slug.Trim(), field.Slug, StringComparison.Ordinal))
        {
            failures.Add(new("Slug", "A field's slug cannot change once created: create a new field instead."));
        }
        failures.AddRange(await CheckDesignAsync(db, flow, input, field.Type, ct, becomingRequired: input.Required && !field.Required));
        if (failures.Count > 0)
        {
            throw new ValidationException(failures);
        }
        Apply(field, input, clock.UtcNow());
        if (input.Order is { } order)
        {
            field.Order = order;
        }
        await db.SaveChangesAsync(ct);
        Invalidate();
        return ToDefinition(field, flow.Slug);
    }

    public async Task<bool> DeleteFieldAsync(ClaimsPrincipal user, Guid id, CancellationToken ct = default)
    {
        Access.Require(user, Permission.DesignFields);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var deleted = await db.Fields.Where(f => f.Id == id).ExecuteDeleteAsync(ct) > 0;
        Invalidate();
        return deleted;
    }

    /// <summary>Moves a field one place up (-1) or down (+1) in its flow's order.</summary>
    public async Task MoveFieldAsync(ClaimsPrincipal user, Guid id, int direction, CancellationToken ct = default)
    {
        Access.Require(user, Permission.DesignFields);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var field = await db.Fields.FirstOrDefaultAsync(f => f.Id == id, ct);
        if (field is null)
        {
            return;
        }
        var siblings = await db.Fields.Where(f => f.FlowId == field.FlowId).OrderBy(f => f.Order).ThenBy(f => f.CreatedAt).ToListAsync(ct);
        var index = siblings.FindIndex(f => f.Id == id);
        var target = index + Math.Sign(direction);
        if (target < 0 || target >= siblings.Count)
        {
            return;
        }
        (siblings[index], siblings[target]) = (siblings[target], siblings[index]);
        for (var i = 0; i < siblings.Count; i++)
        {
            siblings[i].Order = i;
        }
        await db.SaveChangesAsync(ct);
        Invalidate();
    }

    /// <summary>How many records hold a value for the field (said before it is deleted).</summary>
    public async Task<int> CountValuesAsync(ClaimsPrincipal user, FieldDefinition field, CancellationToken ct = default)
    {
        Access.Require(user, Permission.DesignFields);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var sql = field.FlowSlug == Flow.Customers ? CountCustomersSql : CountAddressesSql;
        return await db.Database.SqlQueryRaw<int>(sql, $"$.\"{field.Id}\"").SingleAsync(ct);
    }

    /// <summary>How many stored values fall outside <paramref name="options"/> (asked before an enum is narrowed).</summary>
    public async Task<int> CountOutsideAsync(ClaimsPrincipal user, FieldDefinition field, IReadOnlyList<JsonNode?> options, CancellationToken ct = default)
    {
        Access.Require(user, Permission.DesignFields);
        if (options.Count == 0)
        {
            return 0;
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var sql = (field.FlowSlug == Flow.Customers ? CountCustomersSql : CountAddressesSql) + OutsideSql;
        var allowed = new JsonArray(options.Select(o => o?.DeepClone()).ToArray()).ToJsonString();
        return await db.Database.SqlQueryRaw<int>(sql, $"$.\"{field.Id}\"", allowed).SingleAsync(ct);
    }

    // A JSON path parameter per field; the table is one of two constants.
    private const string CountCustomersSql =
        "SELECT COUNT(*) AS \"Value\" FROM \"Customers\" WHERE \"CustomData\" IS NOT NULL AND json_extract(\"CustomData\", {0}) IS NOT NULL";
    private const string CountAddressesSql =
        "SELECT COUNT(*) AS \"Value\" FROM \"Addresses\" WHERE \"CustomData\" IS NOT NULL AND json_extract(\"CustomData\", {0}) IS NOT NULL";
    private const string OutsideSql = " AND json_extract(\"CustomData\", {0}) NOT IN (SELECT value FROM json_each({1}))";

    private async Task<List<ValidationFailure>> CheckDesignAsync(AppDbContext db, Flow flow, FieldInput input, FieldType type, CancellationToken ct,
        bool becomingRequired = true)
    {
        var failures = new List<ValidationFailure>();
        if (string.IsNullOrWhiteSpace(input.Name) || input.Name.Trim().Length > 255)
        {
            failures.Add(new("Name", "A field needs a name (up to 255 characters)."));
        }
        var rules = input.Rules;
        if (rules.Pattern is { Length: > 0 } pattern)
        {
            try
            {
                _ = new Regex(pattern, RegexOptions.None, FieldValues.RegexTimeout);
            }
            catch (ArgumentException ex)
            {
                failures.Add(new("Rules.Pattern", $"The regular expression is not valid: {ex.Message}"));
            }
        }
        if (type != FieldType.String && (rules.Email || rules.Slug || rules.Pattern is { Length: > 0 } || rules.MinLength is not null || rules.MaxLength is not null))
        {
            failures.Add(new("Rules", "Email, slug, length and pattern rules apply to string fields only."));
        }
        if (type is not (FieldType.Integer or FieldType.Float) && (rules.From is not null || rules.To is not null))
        {
            failures.Add(new("Rules", "A between rule applies to integer and float fields only."));
        }
        if (rules.From > rules.To)
        {
            failures.Add(new("Rules.From", "The between rule's 'from' must not be above its 'to'."));
        }
        if (rules.MinLength > rules.MaxLength || rules.MinLength < 0)
        {
            failures.Add(new("Rules.MinLength", "The minimum length must be between 0 and the maximum length."));
        }
        if (rules.Enum is { Count: > 0 } options)
        {
            if (type is FieldType.Boolean or FieldType.Date)
            {
                failures.Add(new("Rules.Enum", "Enum options apply to string, integer and float fields."));
            }
            else
            {
                var probe = Probe(input, type) with { Rules = new FieldRules() };
                foreach (var option in options)
                {
                    if (FieldValues.Check(probe with { Required = true }, option, out _) is { } bad)
                    {
                        failures.Add(new("Rules.Enum", $"The option {option?.ToJsonString() ?? "null"} does not fit the field's type: {bad}"));
                    }
                }
            }
        }
        if (failures.Count == 0 && input.Default is not null && FieldValues.Check(Probe(input, type), input.Default, out _) is { } badDefault)
        {
            failures.Add(new("Default", $"The default is not a valid value: {badDefault}"));
        }
        if (input.Required && input.Default is null && becomingRequired)
        {
            var records = flow.Slug == Flow.Customers
                ? await RowCounts.ReadAsync(db, RowCount.Customers, ct)
                : await db.Addresses.CountAsync(ct);
            if (records > 0)
            {
                failures.Add(new("Required", $"The {flow.Slug} flow already has {records:N0} records: a required field needs a default, " +
                    "or every existing one would become invalid. Give it a default, or make it optional."));
            }
        }
        return failures;
    }

    private static FieldDefinition Probe(FieldInput input, FieldType type) => new(Guid.Empty, Guid.Empty, "", input.Name.Trim().Length > 0 ? input.Name.Trim() : "The value",
        input.Slug, "", type, false, true, false, 0, null, input.Rules, default, default);

    private static void Apply(Field field, FieldInput input, DateTime now)
    {
        field.Name = input.Name.Trim();
        field.Description = input.Description?.Trim() ?? "";
        field.Required = input.Required;
        field.Enabled = input.Enabled;
        field.OmitNull = input.OmitNull;
        field.DefaultJson = input.Default is null ? null : (FieldValues.Check(Probe(input, field.Type), input.Default, out var normalized) is null ? normalized : input.Default)?.ToJsonString();
        field.Rules = input.Rules with { Pattern = string.IsNullOrWhiteSpace(input.Rules.Pattern) ? null : input.Rules.Pattern };
        field.UpdatedAt = now;
    }

    private static void Fail(string property, string message) => throw new ValidationException([new ValidationFailure(property, message)]);

    private static string Title(string slug) => char.ToUpperInvariant(slug[0]) + slug[1..];

    private static FlowDto ToDto(Flow f) => new(f.Id, f.Slug, f.Name, f.Description, f.Enabled, f.CreatedAt, f.UpdatedAt,
        f.Fields.OrderBy(x => x.Order).ThenBy(x => x.CreatedAt).Select(x => x.Id).ToList());

    public static FieldDefinition ToDefinition(Field f, string flowSlug) => new(f.Id, f.FlowId, flowSlug, f.Name, f.Slug, f.Description, f.Type,
        f.Required, f.Enabled, f.OmitNull, f.Order, f.DefaultJson is null ? null : JsonNode.Parse(f.DefaultJson), f.Rules, f.CreatedAt, f.UpdatedAt);
}
