using System.Runtime.CompilerServices;
using CommerceManager.Addresses;
using CommerceManager.Customers;
using CommerceManager.CustomFields;
using CommerceManager.Data;
using CommerceManager.Exports;
using CommerceManager.Orders;
using CommerceManager.Security;
using Microsoft.EntityFrameworkCore;

namespace CommerceManager.DataTransfer;

/// <summary>Customers as the list shows them (filter, sort, search box, password choice, or ticked rows), with their custom fields and addresses.</summary>
public sealed class CustomerExportSource(IDbContextFactory<AppDbContext> dbFactory, CustomerService customers, CustomerBulk bulk, CustomFieldValues customFields)
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
        await using var addressDb = await dbFactory.CreateDbContextAsync(ct);
        var chunk = new List<CustomerDto>(AddressChunk);
        var source = bulk.ReadAsync(Access.SystemAdmin(job.OwnerName), SelectionOf(job), ct).GetAsyncEnumerator(ct);
        await using (source)
        {
            var more = true;
            while (more)
            {
                chunk.Clear();
                while (chunk.Count < AddressChunk && (more = await source.MoveNextAsync()))
                {
                    chunk.Add(source.Current);
                }
                if (chunk.Count == 0)
                {
                    break;
                }
                var ids = chunk.Select(c => c.Id).ToList();
                var addresses = (await addressDb.Addresses.AsNoTracking().Where(a => ids.Contains(a.CustomerId)).ToListAsync(ct))
                    .GroupBy(a => a.CustomerId).ToDictionary(g => g.Key, g => g.OrderBy(a => a.CreatedAt).ThenBy(a => a.Id).ToList());
                foreach (var customer in chunk)
                {
                    var own = addresses.GetValueOrDefault(customer.Id) ?? [];
                    yield return new ExportRow(ExportRows.Customer(customer, fields, own, csv),
                        csv ? null : [("addresses", own.Select(ExportRows.Address).ToList())]);
                }
            }
        }
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
