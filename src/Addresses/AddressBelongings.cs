using System.Text.Json;
using System.Text.Json.Nodes;
using CommerceManager.Customers;
using CommerceManager.Data;
using Microsoft.EntityFrameworkCore;

namespace CommerceManager.Addresses;

/// <summary>A deleted customer's addresses, kept for the undo of a bulk delete and given back with their ids and values.</summary>
internal sealed class AddressBelongings : ICustomerBelongings
{
    public string Part => "addresses";

    public async Task<IReadOnlyDictionary<Guid, JsonNode>> KeepAsync(AppDbContext db, IReadOnlyCollection<Guid> customerIds, CancellationToken ct)
    {
        var rows = await db.Addresses.AsNoTracking().Where(a => customerIds.Contains(a.CustomerId)).ToListAsync(ct);
        return rows.GroupBy(a => a.CustomerId).ToDictionary(g => g.Key, g => JsonSerializer.SerializeToNode(g.ToList())!);
    }

    public Task RestoreAsync(AppDbContext db, IReadOnlyDictionary<Guid, JsonNode> kept, CancellationToken ct)
    {
        foreach (var (customerId, node) in kept)
        {
            foreach (var address in node.Deserialize<List<Address>>() ?? [])
            {
                address.CustomerId = customerId;
                address.Customer = null;
                db.Addresses.Add(address);
            }
        }
        return Task.CompletedTask;
    }
}
