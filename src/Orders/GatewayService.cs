using System.Globalization;
using System.Security.Claims;
using CommerceManager.Data;
using CommerceManager.Security;
using Microsoft.EntityFrameworkCore;

namespace CommerceManager.Orders;

/// <summary>A payment gateway as EP shows it. This store has one, EP's manual gateway.</summary>
public sealed record GatewayDto(string Slug, string Name, bool Enabled);

/// <summary>
/// EP's payment gateway settings. The store has only the manual gateway, which records payments taken outside the store.
/// Its <c>enabled</c> flag decides whether storefronts (implicit tokens, with or without a customer or account token)
/// may record payments on their own orders. Staff and API clients may always record them. It is off by default: a
/// storefront that could mark its orders paid would get goods for nothing. EP's starters turn it on only to test
/// checkout in a store that takes no real payments.
/// </summary>
public sealed class GatewayService(IDbContextFactory<AppDbContext> dbFactory, ILogger<GatewayService> log)
{
    public const string ManualSlug = PaymentService.ManualGateway;
    internal const string ManualEnabledKey = "gateway:manual:enabled";

    /// <summary>Every gateway the store knows, for <c>GET /v2/gateways</c> and Settings → Payments.</summary>
    public async Task<IReadOnlyList<GatewayDto>> ListAsync(ClaimsPrincipal user, CancellationToken ct = default) =>
        [await GetAsync(user, ManualSlug, ct) ?? throw new InvalidOperationException("The manual gateway always exists.")];

    /// <summary>One gateway by its slug, or null when the store has no such gateway.</summary>
    public async Task<GatewayDto?> GetAsync(ClaimsPrincipal user, string slug, CancellationToken ct = default)
    {
        Access.Require(user, Permission.ManagePayments);
        return slug == ManualSlug ? await ManualAsync(ct) : null;
    }

    /// <summary>Whether storefronts may record manual payments. No role check: the payment service asks it for every caller.</summary>
    public async Task<bool> ManualEnabledAsync(CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var row = await db.AppSettings.AsNoTracking().FirstOrDefaultAsync(s => s.Key == ManualEnabledKey, ct);
        return row is not null && bool.TryParse(row.Value, out var enabled) && enabled;
    }

    /// <summary>Turns storefront payments through the manual gateway on or off. Admins and API clients only.</summary>
    public async Task<GatewayDto> SetManualEnabledAsync(ClaimsPrincipal user, bool enabled, CancellationToken ct = default)
    {
        Access.Require(user, Permission.ManagePayments);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var row = await db.AppSettings.FirstOrDefaultAsync(s => s.Key == ManualEnabledKey, ct);
        var value = enabled.ToString(CultureInfo.InvariantCulture);
        if (row is null)
        {
            db.AppSettings.Add(new AppSetting { Key = ManualEnabledKey, Value = value });
        }
        else
        {
            row.Value = value;
        }
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException ex) when (DbErrors.IsUniqueViolation(ex))
        {
            // Another request (or instance) created the row at the same moment: write over it.
            await using var again = await dbFactory.CreateDbContextAsync(ct);
            var stored = await again.AppSettings.FirstAsync(s => s.Key == ManualEnabledKey, ct);
            stored.Value = value;
            await again.SaveChangesAsync(ct);
        }
        log.LogInformation("{Who} turned storefront payments through the manual gateway {State}.", user.Identity?.Name ?? "An API client",
            enabled ? "on" : "off");
        return await ManualAsync(ct);
    }

    private async Task<GatewayDto> ManualAsync(CancellationToken ct) => new(ManualSlug, "Manual", await ManualEnabledAsync(ct));
}
