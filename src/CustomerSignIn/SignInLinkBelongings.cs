using System.Text.Json;
using System.Text.Json.Nodes;
using CommerceManager.Customers;
using CommerceManager.Data;
using Microsoft.EntityFrameworkCore;

namespace CommerceManager.CustomerSignIn;

/// <summary>
/// A deleted customer's sign-in provider links, kept for the undo of a bulk delete; a link comes back unless its provider
/// is gone or its identity signed in as another customer since.
/// </summary>
internal sealed class SignInLinkBelongings : ICustomerBelongings
{
    public string Part => "sign_in_links";

    public async Task<IReadOnlyDictionary<Guid, JsonNode>> KeepAsync(AppDbContext db, IReadOnlyCollection<Guid> customerIds, CancellationToken ct)
    {
        var rows = await db.CustomerLogins.AsNoTracking().Where(l => customerIds.Contains(l.CustomerId)).ToListAsync(ct);
        return rows.GroupBy(l => l.CustomerId).ToDictionary(g => g.Key, g => JsonSerializer.SerializeToNode(g.ToList())!);
    }

    public async Task RestoreAsync(AppDbContext db, IReadOnlyDictionary<Guid, JsonNode> kept, CancellationToken ct)
    {
        var links = kept.SelectMany(p => (p.Value.Deserialize<List<CustomerLogin>>() ?? []).Select(l => { l.CustomerId = p.Key; return l; })).ToList();
        var profiles = links.Select(l => l.ProfileId).Distinct().ToList();
        var live = (await db.OidcProfiles.Where(p => profiles.Contains(p.Id)).Select(p => p.Id).ToListAsync(ct)).ToHashSet();
        var subjects = links.Select(l => l.Subject).Distinct().ToList();
        var linked = (await db.CustomerLogins.Where(l => subjects.Contains(l.Subject)).Select(l => new { l.ProfileId, l.Subject }).ToListAsync(ct))
            .Select(l => (l.ProfileId, l.Subject)).ToHashSet();
        db.CustomerLogins.AddRange(links.Where(l => live.Contains(l.ProfileId) && !linked.Contains((l.ProfileId, l.Subject))));
    }
}
