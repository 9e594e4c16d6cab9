using System.Runtime.CompilerServices;
using CommerceManager.Addresses;
using CommerceManager.Common;
using CommerceManager.Customers;
using CommerceManager.CustomFields;
using CommerceManager.Data;
using CommerceManager.Exports;
using CommerceManager.Orders;
using CommerceManager.Security;
using Microsoft.EntityFrameworkCore;

namespace CommerceManager.DataTransfer;

/// <summary>Customers as the list shows them (filter, sort, search box, password choice, or ticked rows), with their custom fields and addresses.</summary>
public sealed class CustomerExportSource(IDbContextFactory<AppDbContext> dbFactory, CustomerService customers, CustomerBulk bulk, CustomFieldValues customFields,
    Microsoft.Extensions.Options.IOptions<StoreSettings> store)
    : IExportSource
{
    /// <summary>Addresses are read for this many customers at a time, beside the one streaming read of the customers.</summary>
    private const int AddressChunk = 1000;

    public ExportKind Kind => ExportKind.Customers;

    public async Task ValidateAsync(ExportRequest request, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        // Builds the query as the list would (unknown fields, bad values, custom fields), without running it.
        var (matching, custom, _) = await customers.MatchingAsync(db, new CustomerQuery(request.Filter, request.Sort, HasPassword: request.HasPassword, Search: request.Search), ct);
        CustomerFilters.Sort(matching, request.Sort, CustomerService.DefaultSort, custom);
    }

    private static CustomerSelection SelectionOf(ExportJob job) => job.IdList is { } ids
        ? CustomerSelection.Of(ids)
        : CustomerSelection.AllMatching(new CustomerQuery(job.Filter, job.Sort, HasPassword: job.HasPassword, Search: job.Search));

    public Task<int> CountAsync(ExportJob job, CancellationToken ct) => bulk.CountAsync(Access.SystemAdmin(job.OwnerName), SelectionOf(job), ct);

    public async Task<IReadOnlyList<string>> ColumnsAsync(ExportFormat format, CancellationToken ct) =>
        ExportRows.CustomerHeader(await customFields.EnabledFieldsAsync(Flow.Customers, ct), format);

    public async IAsyncEnumerable<ExportRow> RowsAsync(ExportJob job, [EnumeratorCancellation] CancellationToken ct)
    {
        var fields = await customFields.EnabledFieldsAsync(Flow.Customers, ct);
        var csv = job.Format == ExportFormat.Csv;
        // A pipeline: while one chunk's rows are written, the next chunk's addresses are read (a second core's work).
        (List<CustomerDto> Chunk, Task<Dictionary<Guid, List<Address>>> Addresses)? pending = null;
        await using var source = bulk.ReadAsync(Access.SystemAdmin(job.OwnerName), SelectionOf(job), ct).GetAsyncEnumerator(ct);
        var more = true;
        while (more || pending is not null)
        {
            List<CustomerDto>? chunk = null;
            if (more)
            {
                chunk = new List<CustomerDto>(AddressChunk);
                while (chunk.Count < AddressChunk && (more = await source.MoveNextAsync()))
                {
                    chunk.Add(source.Current);
                }
            }
            var next = chunk is { Count: > 0 } ? (chunk, AddressesOfAsync(chunk, ct)) : ((List<CustomerDto>, Task<Dictionary<Guid, List<Address>>>)?)null;
            if (pending is { } ready)
            {
                var addresses = await ready.Addresses;
                foreach (var customer in ready.Chunk)
                {
                    var own = addresses.GetValueOrDefault(customer.Id) ?? [];
                    yield return new ExportRow(ExportRows.Customer(customer, fields, own, csv, store.Value.Currency),
                        csv ? null : [("addresses", own.Select(ExportRows.Address).ToList())]);
                }
            }
            pending = next;
        }
    }

    private async Task<Dictionary<Guid, List<Address>>> AddressesOfAsync(List<CustomerDto> chunk, CancellationToken ct)
    {
        var ids = chunk.Select(c => c.Id).ToList();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        // Projected into plain objects: no change tracking or owned-entity fix-up for two thousand rows a chunk.
        var rows = await db.Addresses.Where(a => ids.Contains(a.CustomerId)).Select(a => new Address
        {
            Id = a.Id, CustomerId = a.CustomerId, Name = a.Name, CreatedAt = a.CreatedAt,
            Postal = new PostalAddress
            {
                FirstName = a.Postal.FirstName, LastName = a.Postal.LastName, CompanyName = a.Postal.CompanyName, Line1 = a.Postal.Line1, Line2 = a.Postal.Line2,
                City = a.Postal.City, Region = a.Postal.Region, County = a.Postal.County, Postcode = a.Postal.Postcode, Country = a.Postal.Country,
                PhoneNumber = a.Postal.PhoneNumber, Instructions = a.Postal.Instructions,
            },
        }).ToListAsync(ct);
        return rows.GroupBy(a => a.CustomerId).ToDictionary(g => g.Key, g => g.OrderBy(a => a.CreatedAt).ThenBy(a => a.Id).ToList());
    }
}

/// <summary>Orders as the orders list (and EP's order export) filters them, newest first, or ticked ones.</summary>
public sealed class OrderExportSource(OrderService orders) : IExportSource
{
    public ExportKind Kind => ExportKind.Orders;

    public Task ValidateAsync(ExportRequest request, CancellationToken ct)
    {
        OrderService.Schema.Parse(request.Filter);
        return Task.CompletedTask;
    }

    public async Task<int> CountAsync(ExportJob job, CancellationToken ct) =>
        job.IdList?.Count ?? (await orders.ListAsync(Access.SystemAdmin(job.OwnerName), new OrderQuery(job.Filter, null, 0, 1), ct)).Total;

    public Task<IReadOnlyList<string>> ColumnsAsync(ExportFormat format, CancellationToken ct) => Task.FromResult<IReadOnlyList<string>>(ExportRows.OrderColumns);

    public async IAsyncEnumerable<ExportRow> RowsAsync(ExportJob job, [EnumeratorCancellation] CancellationToken ct)
    {
        await foreach (var order in orders.ReadAsync(Access.SystemAdmin(job.OwnerName), job.IdList, job.Filter, ct))
        {
            yield return new ExportRow(ExportRows.Order(order));
        }
    }
}
