using CommerceManager.CustomFields;
using CommerceManager.Data;
using CommerceManager.Querying;

namespace CommerceManager.Customers;

/// <summary>
/// How customers are read and created on the store's database, one implementation per provider
/// (<see cref="SqliteCustomerStore"/>, <see cref="PostgresCustomerStore"/>, chosen by
/// <see cref="DatabaseSetup.AddStore{TStore, TSqlite, TPostgres}"/>). <see cref="CustomerService"/> checks access and
/// applies the rules; the store knows the indexes, prepared statements and commits that make them fast. Both give the
/// same answers: the tests run on both providers.
/// </summary>
public interface ICustomerStore
{
    /// <summary>A page of the customers <paramref name="query"/> matches, in its sort (else <paramref name="defaultSort"/>), with its total.</summary>
    Task<Page<CustomerDto>> ListAsync(CustomerQuery query, string defaultSort, CancellationToken ct);

    /// <summary>
    /// The customers a query's filter, one-box search and password choice match, unsorted and unpaged, on the caller's
    /// context: what bulk actions and exports act on.
    /// </summary>
    Task<(IQueryable<Customer> Matching, IReadOnlyList<FieldDefinition> Custom, bool Unfiltered)> MatchingAsync(
        AppDbContext db, CustomerQuery query, CancellationToken ct);

    /// <summary>One customer, or null.</summary>
    Task<CustomerDto?> ByIdAsync(Guid id, CancellationToken ct);

    /// <summary>Stores a new customer and returns once it is committed; a unique index's refusal is a <c>DbUpdateException</c>.</summary>
    Task InsertAsync(Customer customer, CancellationToken ct);
}
