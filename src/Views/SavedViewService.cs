using System.Security.Claims;
using CommerceManager.Common;
using CommerceManager.Data;
using CommerceManager.Security;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;

namespace CommerceManager.Views;

/// <summary>A saved view as one staff member sees it.</summary>
public sealed record SavedViewDto(Guid Id, string List, string Name, string Query, bool Shared, bool Mine, string OwnerName, bool IsDefault);

/// <summary>
/// Saved list views (<see cref="SavedView"/>) and what the console remembers per staff member (<see cref="StaffSetting"/>):
/// a list's page size and columns, a page's last tab, the view a list opens with. Staff see their own views and the
/// shared ones; only Admins share, and a shared view is changed or deleted by Admins only.
/// </summary>
public sealed class SavedViewService(IDbContextFactory<AppDbContext> factory, TimeProvider clock)
{
    public const int MaxNameLength = 64;
    public const int MaxQueryLength = 2000;
    public const int MaxViewsPerList = 50;

    /// <summary>Query parameters that are not part of a view: the page number, and the "all" marker of the unfiltered tab.</summary>
    private static readonly HashSet<string> NotPartOfAView = ["page", "view"];

    private static string? UserIdOf(ClaimsPrincipal user) => user.FindFirstValue(ClaimTypes.NameIdentifier);

    private static string DefaultKey(string list) => $"{list}:default-view";

    /// <summary>
    /// The query string of a list address without the page number (and in a stable order), so two addresses showing the
    /// same view compare equal. Accepts a query with or without its "?".
    /// </summary>
    public static string Normalize(string? query)
    {
        var parsed = QueryHelpers.ParseQuery(query);
        var parts = parsed
            .Where(p => !NotPartOfAView.Contains(p.Key) && !string.IsNullOrEmpty(p.Value.ToString()))
            .OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => Uri.EscapeDataString(p.Key) + "=" + Uri.EscapeDataString(p.Value.ToString()));
        return string.Join('&', parts);
    }

    /// <summary>The name of the caller's view (own or shared) showing exactly <paramref name="query"/>, or null: what an export of it is called.</summary>
    public async Task<string?> NameOfAsync(ClaimsPrincipal user, string list, string query, CancellationToken ct = default)
    {
        var normalized = Normalize(query);
        return normalized.Length == 0 ? null : (await ListAsync(user, list, ct)).FirstOrDefault(v => v.Query == normalized)?.Name;
    }

    /// <summary>The caller's own views and the shared ones for <paramref name="list"/>, shared first, then by name.</summary>
    public async Task<IReadOnlyList<SavedViewDto>> ListAsync(ClaimsPrincipal user, string list, CancellationToken ct = default)
    {
        Access.Require(user, Permission.ReadCustomers);
        var me = UserIdOf(user) ?? "";
        await using var db = await factory.CreateDbContextAsync(ct);
        var defaultId = await DefaultIdAsync(db, me, list, ct);
        var rows = await (
            from v in db.SavedViews.AsNoTracking()
            where v.List == list && (v.OwnerId == me || v.Shared)
            join u in db.Users on v.OwnerId equals u.Id
            select new { View = v, Owner = u.DisplayName != "" ? u.DisplayName : u.Email })
            .ToListAsync(ct);
        return rows
            .OrderByDescending(r => r.View.Shared)
            .ThenBy(r => r.View.Name, StringComparer.CurrentCultureIgnoreCase)
            .Select(r => new SavedViewDto(r.View.Id, r.View.List, r.View.Name, r.View.Query, r.View.Shared, r.View.OwnerId == me,
                r.Owner ?? "", r.View.Id == defaultId))
            .ToList();
    }

    /// <summary>Saves the current list view under a name (its query normalised); optionally shared (Admins) and the caller's default.</summary>
    public async Task<Outcome<SavedViewDto>> SaveAsync(ClaimsPrincipal user, string list, string name, string query, bool shared, bool makeDefault,
        CancellationToken ct = default)
    {
        Access.Require(user, Permission.ReadCustomers);
        if (!ViewLists.IsKnown(list))
        {
            return Outcome.Refused<SavedViewDto>($"There are no saved views for “{list}”.");
        }
        if (shared && !Access.Has(user, Permission.ManageSettings))
        {
            return Outcome.Refused<SavedViewDto>("Only Admins share views with all staff.", "shared");
        }
        name = name.Trim();
        if (name.Length == 0)
        {
            return Outcome.Refused<SavedViewDto>("Give the view a name.", "name");
        }
        if (name.Length > MaxNameLength)
        {
            return Outcome.Refused<SavedViewDto>($"Use at most {MaxNameLength} characters.", "name");
        }
        var normalized = Normalize(query);
        if (normalized.Length > MaxQueryLength)
        {
            return Outcome.Refused<SavedViewDto>("This view's filter is too long to save.");
        }
        var me = UserIdOf(user) ?? throw new AccessDeniedException("Only a signed-in staff member saves views.");
        await using var db = await factory.CreateDbContextAsync(ct);
        if (await db.SavedViews.CountAsync(v => v.OwnerId == me && v.List == list, ct) >= MaxViewsPerList)
        {
            return Outcome.Refused<SavedViewDto>($"You have {MaxViewsPerList} saved views here; delete one first.");
        }
        var now = clock.UtcNow();
        var view = new SavedView
        {
            Id = Guid.CreateVersion7(), List = list, Name = name, Query = normalized, OwnerId = me, Shared = shared, CreatedAt = now, UpdatedAt = now,
        };
        db.SavedViews.Add(view);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException ex) when (DbErrors.IsUniqueViolation(ex))
        {
            return Outcome.Duplicate<SavedViewDto>("name", $"You already have a view called “{name}”. Choose another name, or update that view.");
        }
        if (makeDefault)
        {
            await SetSettingAsync(me, DefaultKey(list), view.Id.ToString(), ct);
        }
        return new SavedViewDto(view.Id, list, name, normalized, shared, true, await OwnerNameAsync(db, me, ct), makeDefault);
    }

    /// <summary>Points the view at the current filter, sort and columns (its owner; Admins for a shared view).</summary>
    public async Task<Outcome<SavedViewDto>> UpdateQueryAsync(ClaimsPrincipal user, Guid id, string query, CancellationToken ct = default)
    {
        var normalized = Normalize(query);
        if (normalized.Length > MaxQueryLength)
        {
            return Outcome.Refused<SavedViewDto>("This view's filter is too long to save.");
        }
        await using var db = await factory.CreateDbContextAsync(ct);
        var (view, refusal) = await ChangeableAsync(db, user, id, ct);
        if (view is null)
        {
            return refusal;
        }
        view.Query = normalized;
        view.UpdatedAt = clock.UtcNow();
        await db.SaveChangesAsync(ct);
        var me = UserIdOf(user) ?? "";
        return new SavedViewDto(view.Id, view.List, view.Name, view.Query, view.Shared, view.OwnerId == me, await OwnerNameAsync(db, view.OwnerId, ct),
            await DefaultIdAsync(db, me, view.List, ct) == view.Id);
    }

    // The owner as the list of views names them: their display name, else their email.
    private static async Task<string> OwnerNameAsync(AppDbContext db, string ownerId, CancellationToken ct) =>
        await db.Users.Where(u => u.Id == ownerId).Select(u => u.DisplayName != "" ? u.DisplayName : u.Email).FirstOrDefaultAsync(ct) ?? "";

    /// <summary>Deletes the view (its owner; Admins for a shared view). Whoever had it as their default opens the plain list again.</summary>
    public async Task<Outcome<bool>> DeleteAsync(ClaimsPrincipal user, Guid id, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var (view, refusal) = await ChangeableAsync(db, user, id, ct);
        if (view is null)
        {
            return refusal.As<bool>();
        }
        db.SavedViews.Remove(view);
        await db.SaveChangesAsync(ct);
        var key = DefaultKey(view.List);
        var value = view.Id.ToString();
        await db.StaffSettings.Where(s => s.Key == key && s.Value == value).ExecuteDeleteAsync(ct);
        return true;
    }

    /// <summary>Makes a view the caller's default for its list (null: none, the list opens unfiltered).</summary>
    public async Task<Outcome<bool>> SetDefaultAsync(ClaimsPrincipal user, string list, Guid? id, CancellationToken ct = default)
    {
        Access.Require(user, Permission.ReadCustomers);
        var me = UserIdOf(user) ?? throw new AccessDeniedException("Only a signed-in staff member has a default view.");
        if (id is { } viewId)
        {
            await using var db = await factory.CreateDbContextAsync(ct);
            if (!await db.SavedViews.AnyAsync(v => v.Id == viewId && v.List == list && (v.OwnerId == me || v.Shared), ct))
            {
                return Outcome.NotFound<bool>();
            }
            await SetSettingAsync(me, DefaultKey(list), viewId.ToString(), ct);
        }
        else
        {
            await RemoveSettingAsync(me, DefaultKey(list), ct);
        }
        return true;
    }

    /// <summary>
    /// What a list opens with when its address has no query: the caller's default view, else their remembered page size
    /// and columns (<paramref name="remembered"/> keys), else nothing (null). Without <paramref name="includeDefaultView"/>
    /// (the list's "All" tab) only the remembered settings.
    /// </summary>
    public async Task<string?> StartQueryAsync(ClaimsPrincipal user, string list, IReadOnlyList<string> remembered, bool includeDefaultView = true,
        CancellationToken ct = default)
    {
        if (UserIdOf(user) is not { } me)
        {
            return null;
        }
        await using var db = await factory.CreateDbContextAsync(ct);
        if (includeDefaultView && await DefaultIdAsync(db, me, list, ct) is { } viewId
            && await db.SavedViews.Where(v => v.Id == viewId && (v.OwnerId == me || v.Shared)).Select(v => v.Query).FirstOrDefaultAsync(ct) is { } query)
        {
            return query;
        }
        var keys = remembered.Select(k => $"{list}:{k}").ToList();
        var values = await db.StaffSettings.AsNoTracking().Where(s => s.UserId == me && keys.Contains(s.Key)).ToListAsync(ct);
        var parts = values.Where(v => v.Value.Length > 0)
            .Select(v => Uri.EscapeDataString(v.Key[(list.Length + 1)..]) + "=" + Uri.EscapeDataString(v.Value))
            .ToList();
        return parts.Count == 0 ? null : Normalize(string.Join('&', parts));
    }

    /// <summary>A remembered value of the caller's (such as <c>customers:size</c>), or null.</summary>
    public async Task<string?> RememberedAsync(ClaimsPrincipal user, string key, CancellationToken ct = default)
    {
        if (UserIdOf(user) is not { } me)
        {
            return null;
        }
        await using var db = await factory.CreateDbContextAsync(ct);
        return await db.StaffSettings.AsNoTracking().Where(s => s.UserId == me && s.Key == key).Select(s => s.Value).FirstOrDefaultAsync(ct);
    }

    /// <summary>Remembers a value for the caller (empty or null forgets it). Their own settings: no role needed.</summary>
    public async Task RememberAsync(ClaimsPrincipal user, string key, string? value, CancellationToken ct = default)
    {
        if (UserIdOf(user) is not { } me)
        {
            return;
        }
        if (string.IsNullOrEmpty(value))
        {
            await RemoveSettingAsync(me, key, ct);
        }
        else
        {
            await SetSettingAsync(me, key, value.Length > MaxQueryLength ? value[..MaxQueryLength] : value, ct);
        }
    }

    private async Task<(SavedView? View, Outcome<SavedViewDto> Refusal)> ChangeableAsync(AppDbContext db, ClaimsPrincipal user, Guid id, CancellationToken ct)
    {
        Access.Require(user, Permission.ReadCustomers);
        var me = UserIdOf(user) ?? "";
        var view = await db.SavedViews.FirstOrDefaultAsync(v => v.Id == id && (v.OwnerId == me || v.Shared), ct);
        if (view is null)
        {
            return (null, Outcome.NotFound<SavedViewDto>());
        }
        if (view.Shared ? !Access.Has(user, Permission.ManageSettings) : view.OwnerId != me)
        {
            return (null, Outcome.Refused<SavedViewDto>("Only Admins change or delete a view shared with all staff."));
        }
        return (view, default);
    }

    private static async Task<Guid?> DefaultIdAsync(AppDbContext db, string me, string list, CancellationToken ct)
    {
        var key = DefaultKey(list);
        var value = await db.StaffSettings.AsNoTracking().Where(s => s.UserId == me && s.Key == key).Select(s => s.Value).FirstOrDefaultAsync(ct);
        return Guid.TryParse(value, out var id) ? id : null;
    }

    /// <summary>Insert or update; two tabs remembering at once end with one of their values, never an error.</summary>
    private async Task SetSettingAsync(string me, string key, string value, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        if (await db.StaffSettings.Where(s => s.UserId == me && s.Key == key).ExecuteUpdateAsync(u => u.SetProperty(s => s.Value, value), ct) > 0)
        {
            return;
        }
        if (!await db.Users.AnyAsync(u => u.Id == me, ct))
        {
            // Not a staff account (an API caller, a removed member): nothing to remember for.
            return;
        }
        db.StaffSettings.Add(new StaffSetting { UserId = me, Key = key, Value = value });
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException ex) when (DbErrors.IsUniqueViolation(ex))
        {
            db.ChangeTracker.Clear();
            await db.StaffSettings.Where(s => s.UserId == me && s.Key == key).ExecuteUpdateAsync(u => u.SetProperty(s => s.Value, value), ct);
        }
    }

    private async Task RemoveSettingAsync(string me, string key, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        await db.StaffSettings.Where(s => s.UserId == me && s.Key == key).ExecuteDeleteAsync(ct);
    }
}
