using System.Text.Json;
using System.Text.Json.Nodes;
using CommerceManager.Customers;
using CommerceManager.Data;
using Microsoft.EntityFrameworkCore;

namespace CommerceManager.Orders;

/// <summary>
/// A deleted customer's orders (guest orders since the delete): kept by id for the undo of a bulk delete, and linked to
/// the customer again unless someone linked them to another customer since.
/// </summary>
internal sealed class OrderBelongings : ICustomerBelongings
{
    public string Part => "orders";

    public async Task<IReadOnlyDictionary<Guid, JsonNode>> KeepAsync(AppDbContext db, IReadOnlyCollection<Guid> customerIds, CancellationToken ct)
    {
        var rows = await db.Orders.AsNoTracking().Where(o => o.CustomerId != null && customerIds.Contains(o.CustomerId.Value))
            .Select(o => new { o.Id, CustomerId = o.CustomerId!.Value }).ToListAsync(ct);
        return rows.GroupBy(o => o.CustomerId).ToDictionary(g => g.Key, g => JsonSerializer.SerializeToNode(g.Select(o => o.Id).ToList())!);
    }

    public async Task RestoreAsync(AppDbContext db, IReadOnlyDictionary<Guid, JsonNode> kept, CancellationToken ct)
    {
        foreach (var (customerId, node) in kept)
        {
            var ids = node.Deserialize<List<Guid>>() ?? [];
            // The database's triggers count them into the customer's order figures again.
            await db.Orders.Where(o => ids.Contains(o.Id) && o.CustomerId == null).ExecuteUpdateAsync(s => s.SetProperty(o => o.CustomerId, (Guid?)customerId), ct);
        }
    }
}
