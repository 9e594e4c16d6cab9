using System.Security.Claims;
using CommerceManager.Common;
using CommerceManager.Data;
using Microsoft.EntityFrameworkCore;

namespace CommerceManager.CustomFields;

/// <summary>
/// Keeps "an enabled field with a default has a value on every record": when a field with a default is created,
/// enabled, made required or given another default, the default is stored on the records that have no value, a batch
/// at a time (in the background past one batch, with progress). Records showed the default already, so nothing changes
/// for anyone reading them: no history per record, no version change, and a filter on the value now finds them all.
/// </summary>
public sealed class FieldDefaults(IDbContextFactory<AppDbContext> dbFactory, SqlDialect dialect, BackgroundWork work, ILogger<FieldDefaults> log,
    IEnumerable<CustomValueHost> hosts)
{
    public const int BatchSize = 5_000;

    /// <summary>Whether the field's default must now be stored on records without a value.</summary>
    public static bool NeedsFill(bool created, (bool Enabled, bool Required, string? Default) before, Field after) =>
        after.Enabled && after.DefaultJson is not null
        && (created || !before.Enabled || (after.Required && !before.Required) || before.Default != after.DefaultJson);

    private string TableOf(string flowSlug) => hosts.TableOf(flowSlug);

    /// <summary>Fills at once when the table is one batch or less; otherwise starts a background job for <paramref name="user"/>.</summary>
    public async Task<WorkItem?> StartAsync(ClaimsPrincipal user, Field field, string flowSlug, CancellationToken ct)
    {
        var table = TableOf(flowSlug);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var total = await RowCounts.ReadAsync(db, table, ct);
        if (total <= BatchSize)
        {
            await FillAsync(field.Id, table, field.DefaultJson!, null, total, ct);
            return null;
        }
        var owner = user.FindFirstValue(ClaimTypes.NameIdentifier) ?? user.Identity?.Name ?? "system";
        var noun = flowSlug;
        var (id, json, name) = (field.Id, field.DefaultJson!, field.Name);
        return work.Start(owner, $"Store {name}'s default on {total:N0} {noun}", async (progress, token) =>
        {
            var filled = await FillAsync(id, table, json, progress, total, token);
            return $"{name}'s default is now stored on {filled:N0} {noun} that showed it (a filter on it finds them).";
        });
    }

    /// <summary>Walks the table once; the number of records given the default.</summary>
    public async Task<int> FillAsync(Guid fieldId, string table, string defaultJson, IProgress<WorkProgress>? progress, int total, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.Database.SetCommandTimeout(TimeSpan.FromMinutes(5));
        object? after = null;
        var (walked, filled) = (0, 0);
        do
        {
            ct.ThrowIfCancellationRequested();
            if (!await db.Fields.AnyAsync(f => f.Id == fieldId, ct))
            {
                // Deleted meanwhile: nothing more to keep.
                break;
            }
            (after, var changed) = await dialect.FillCustomDefaultAsync(db, table, fieldId, defaultJson, after, BatchSize, ct);
            filled += changed;
            walked += BatchSize;
            progress?.Report(new WorkProgress(Math.Min(walked, total), total));
        }
        while (after is not null);
        if (filled > 0)
        {
            log.LogInformation("Stored a custom field's default on {Filled} rows of {Table}.", filled, table);
        }
        return filled;
    }
}
