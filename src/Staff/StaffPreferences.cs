using System.Security.Claims;
using CommerceManager.Data;
using Microsoft.EntityFrameworkCore;

namespace CommerceManager.Staff;

public enum ThemeChoice { System, Light, Dark }

/// <summary>What the console remembers per staff member: for now, light or dark (or following the operating system).</summary>
public sealed class StaffPreferences(IDbContextFactory<AppDbContext> factory)
{
    public async Task<ThemeChoice> ThemeAsync(ClaimsPrincipal user, CancellationToken ct = default)
    {
        if (user.FindFirstValue(ClaimTypes.NameIdentifier) is not { } id)
        {
            return ThemeChoice.System;
        }
        await using var db = await factory.CreateDbContextAsync(ct);
        var stored = await db.Users.Where(u => u.Id == id).Select(u => u.Theme).FirstOrDefaultAsync(ct);
        return Enum.TryParse<ThemeChoice>(stored, ignoreCase: true, out var choice) ? choice : ThemeChoice.System;
    }

    /// <summary>Remembers the choice for the signed-in staff member (their own, so no role is needed).</summary>
    public async Task SetThemeAsync(ClaimsPrincipal user, ThemeChoice choice, CancellationToken ct = default)
    {
        if (user.FindFirstValue(ClaimTypes.NameIdentifier) is not { } id)
        {
            return;
        }
        await using var db = await factory.CreateDbContextAsync(ct);
        var value = choice.ToString().ToLowerInvariant();
        await db.Users.Where(u => u.Id == id).ExecuteUpdateAsync(s => s.SetProperty(u => u.Theme, value), ct);
    }
}
