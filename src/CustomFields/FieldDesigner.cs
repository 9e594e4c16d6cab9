using System.Security.Claims;
using System.Text.Json.Nodes;
using CommerceManager.Common;
using CommerceManager.Data;
using CommerceManager.Security;
using FluentValidation;
using FluentValidation.Results;
using Microsoft.EntityFrameworkCore;

namespace CommerceManager.CustomFields;

/// <summary>
/// The designer: flows and their fields. Design rules that need no database are <see cref="FieldInputValidator"/>'s
/// (shared with the dialog); this service adds the ones that do (taken slugs, 100 fields a flow, required fields once
/// records exist) and keeps <see cref="CustomFieldValues"/>' cache fresh.
/// </summary>
public sealed class FieldDesigner(IDbContextFactory<AppDbContext> dbFactory, CustomFieldValues values, IValidator<FieldInput> validator,
    SqlDialect dialect, TimeProvider clock, FieldDefaults defaults, IEnumerable<CustomValueHost> hosts)
{
    public const int MaxFieldsPerFlow = 100;

    // ---- Flows -------------------------------------------------------------------------------------------

    public async Task<IReadOnlyList<FlowDto>> ListFlowsAsync(ClaimsPrincipal user, CancellationToken ct = default)
    {
        Access.Require(user, Permission.ReadFieldDesign);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var flows = await db.Flows.AsNoTracking().Include(f => f.Fields).OrderBy(f => f.Slug).ToListAsync(ct);
        return flows.Select(ToDto).ToList();
    }

    public async Task<FlowDto?> GetFlowAsync(ClaimsPrincipal user, string idOrSlug, CancellationToken ct = default)
    {
        Access.Require(user, Permission.ReadFieldDesign);
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
            Fail("Slug", $"The flow's slug must be {Flow.Customers} (extends customers), {Flow.Addresses} (extends addresses) or {Flow.Accounts} (extends accounts).");
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (await db.Flows.AnyAsync(f => f.Slug == slug, ct))
        {
            return Outcome.Duplicate<FlowDto>("Slug", $"The {slug} flow already exists.");
        }
        var now = clock.UtcNow();
        var flow = new Flow
        {
            Id = Guid.CreateVersion7(), Slug = slug, Name = string.IsNullOrWhiteSpace(input.Name) ? Flow.Title(slug) : input.Name.Trim(),
            Description = input.Description?.Trim() ?? "", Enabled = input.Enabled, CreatedAt = now, UpdatedAt = now,
        };
        db.Flows.Add(flow);
        return await db.SaveOrConflictAsync(() => Changed(ToDto(flow)), ct, "Slug", $"The {slug} flow already exists.");
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
        values.Invalidate();
        return ToDto(flow);
    }

    /// <summary>
    /// Refuses: the customers and addresses flows are core flows (as in EP), the only ones this store has. Disable a
    /// flow or delete its fields instead; stored values stay in the records either way.
    /// </summary>
    public async Task<Outcome<bool>> DeleteFlowAsync(ClaimsPrincipal user, Guid id, CancellationToken ct = default)
    {
        Access.Require(user, Permission.DesignFields);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var flow = await db.Flows.AsNoTracking().FirstOrDefaultAsync(f => f.Id == id, ct);
        return flow is null
            ? Outcome.NotFound<bool>()
            : Outcome.Refused<bool>($"The {flow.Slug} flow is a core flow and cannot be deleted: disable it, or delete its fields.");
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
        Access.Require(user, Permission.ReadFieldDesign);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var flows = await db.Flows.AsNoTracking().Include(f => f.Fields).Where(f => flowId == null || f.Id == flowId).ToListAsync(ct);
        return flows.SelectMany(f => f.Fields.Select(x => FieldDefinition.From(x, f.Slug)))
            .OrderBy(f => f.FlowSlug).ThenBy(f => f.Order).ThenBy(f => f.CreatedAt).ToList();
    }

    public async Task<FieldDefinition?> GetFieldAsync(ClaimsPrincipal user, Guid id, CancellationToken ct = default)
    {
        Access.Require(user, Permission.ReadFieldDesign);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var field = await db.Fields.AsNoTracking().FirstOrDefaultAsync(f => f.Id == id, ct);
        if (field is null)
        {
            return null;
        }
        var flowSlug = await db.Flows.Where(f => f.Id == field.FlowId).Select(f => f.Slug).FirstAsync(ct);
        return FieldDefinition.From(field, flowSlug);
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
        input.FlowSlug = flow.Slug;
        var slug = input.Slug.Trim();
        var failures = (await validator.ValidateAsync(input, ct)).Errors;
        if (failures.All(f => f.PropertyName != nameof(FieldInput.Slug))
            && flow.Fields.Any(f => string.Equals(f.Slug, slug, StringComparison.OrdinalIgnoreCase)))
        {
            failures.Add(new(nameof(FieldInput.Slug), $"The {flow.Slug} flow already has a field '{slug}'."));
        }
        if (flow.Fields.Count >= MaxFieldsPerFlow)
        {
            failures.Add(new("Flow", $"A flow has at most {MaxFieldsPerFlow} fields; delete one first."));
        }
        failures.AddRange(await RequiredNeedsDefaultAsync(db, flow, input, becomingRequired: true, ct));
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
        var created = await db.SaveOrConflictAsync(() => Changed(FieldDefinition.From(field, flow.Slug)), ct, "Slug", $"The {flow.Slug} flow already has a field '{slug}'.");
        if (created.Kind == OutcomeKind.Ok && flow.Slug == Flow.Customers)
        {
            await IndexAsync(db, field.Id, field.Type, ct);
        }
        if (created.Kind == OutcomeKind.Ok && FieldDefaults.NeedsFill(created: true, default, field))
        {
            // Existing records show the default: store it, so a filter on it finds them and nobody's next save "changes" it.
            await defaults.StartAsync(user, field, flow.Slug, ct);
        }
        return created;
    }

    /// <summary>
    /// Customers can be filtered and sorted by any of their custom fields (<c>eq(slug,…)</c>, <c>sort=slug</c>): each
    /// field gets its own index, built when the field is created (and checked at start-up for older fields).
    /// </summary>
    public async Task EnsureIndexesAsync(CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var flow = await db.Flows.Where(x => x.Slug == Flow.Customers).Select(x => (Guid?)x.Id).FirstOrDefaultAsync(ct);
        var fields = await db.Fields.Where(f => f.FlowId == flow).Select(f => new { f.Id, f.Type }).ToListAsync(ct);
        foreach (var field in fields)
        {
            await IndexAsync(db, field.Id, field.Type, ct);
        }
    }

    private Task IndexAsync(AppDbContext db, Guid fieldId, FieldType type, CancellationToken ct)
    {
        // Index builds on a large table can outlast the default command timeout.
        db.Database.SetCommandTimeout(TimeSpan.FromMinutes(30));
        return dialect.EnsureCustomValueIndexAsync(db, TableOf(Flow.Customers), fieldId, CustomValueKinds.Of(type), ct);
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
        input.FlowSlug = flow.Slug;
        var failures = new List<ValidationFailure>();
        if (input.Type != field.Type)
        {
            failures.Add(new("Type", $"A field's type cannot change (it is {FieldDefinition.TypeName(field.Type)}): create a new field instead."));
            // The rest is checked against the type the field keeps.
            input.Type = field.Type;
        }
        failures.AddRange((await validator.ValidateAsync(input, ct)).Errors);
        if (!string.Equals(input.Slug.Trim(), field.Slug, StringComparison.Ordinal))
        {
            failures.RemoveAll(f => f.PropertyName == nameof(FieldInput.Slug));
            failures.Add(new("Slug", "A field's slug cannot change once created: create a new field instead."));
        }
        failures.AddRange(await RequiredNeedsDefaultAsync(db, flow, input, becomingRequired: input.Required && !field.Required, ct));
        if (failures.Count > 0)
        {
            throw new ValidationException(failures);
        }
        var before = (field.Enabled, field.Required, field.DefaultJson);
        Apply(field, input, clock.UtcNow());
        if (input.Order is { } order)
        {
            field.Order = order;
        }
        await db.SaveChangesAsync(ct);
        values.Invalidate();
        if (FieldDefaults.NeedsFill(created: false, before, field))
        {
            await defaults.StartAsync(user, field, flow.Slug, ct);
        }
        return FieldDefinition.From(field, flow.Slug);
    }

    public async Task<bool> DeleteFieldAsync(ClaimsPrincipal user, Guid id, CancellationToken ct = default)
    {
        Access.Require(user, Permission.DesignFields);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var deleted = await db.Fields.Where(f => f.Id == id).ExecuteDeleteAsync(ct) > 0;
        values.Invalidate();
        if (deleted)
        {
            await dialect.DropCustomValueIndexAsync(db, TableOf(Flow.Customers), id, ct);
        }
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
        values.Invalidate();
    }

    /// <summary>How many records hold a value for the field (said before it is deleted).</summary>
    public async Task<int> CountValuesAsync(ClaimsPrincipal user, FieldDefinition field, CancellationToken ct = default)
    {
        Access.Require(user, Permission.DesignFields);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await dialect.CountCustomValuesAsync(db, TableOf(field.FlowSlug), field.Id, null, ct);
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
        var allowed = new JsonArray(options.Select(o => o?.DeepClone()).ToArray()).ToJsonString();
        return await dialect.CountCustomValuesAsync(db, TableOf(field.FlowSlug), field.Id, allowed, ct);
    }

    private string TableOf(string flowSlug) => hosts.TableOf(flowSlug);

    private async Task<List<ValidationFailure>> RequiredNeedsDefaultAsync(AppDbContext db, Flow flow, FieldInput input, bool becomingRequired,
        CancellationToken ct)
    {
        if (!input.Required || input.Default is not null || !becomingRequired)
        {
            return [];
        }
        var records = await RowCounts.ReadAsync(db, TableOf(flow.Slug), ct);
        return records == 0 ? [] :
        [
            new("Required", $"The {flow.Slug} flow already has {records:N0} records: a required field needs a default, " +
                "or every existing one would become invalid. Give it a default, or make it optional."),
        ];
    }

    private static void Apply(Field field, FieldInput input, DateTime now)
    {
        field.Name = input.Name.Trim();
        field.Description = input.Description?.Trim() ?? "";
        field.Required = input.Required;
        field.Enabled = input.Enabled;
        field.OmitNull = input.OmitNull;
        field.CustomerEditable = input.CustomerEditable;
        field.DefaultJson = input.Default is null ? null : (FieldValues.Check(input.Probe() with { Type = field.Type }, input.Default, out var normalized) is null ? normalized : input.Default)?.ToJsonString();
        field.Rules = input.Rules with { Pattern = string.IsNullOrWhiteSpace(input.Rules.Pattern) ? null : input.Rules.Pattern };
        field.UpdatedAt = now;
    }

    /// <summary>A design change was saved: records read the new fields from now on.</summary>
    private T Changed<T>(T result)
    {
        values.Invalidate();
        return result;
    }

    private static void Fail(string property, string message) => throw new ValidationException([new ValidationFailure(property, message)]);


    private static FlowDto ToDto(Flow f) => new(f.Id, f.Slug, f.Name, f.Description, f.Enabled, f.CreatedAt, f.UpdatedAt,
        f.Fields.OrderBy(x => x.Order).ThenBy(x => x.CreatedAt).Select(x => x.Id).ToList());
}
