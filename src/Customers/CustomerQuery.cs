using System.Linq.Expressions;
using CommerceManager.Api;

namespace CommerceManager.Customers;

/// <summary>A view of the customers list: an EP filter string, a sort, a page.</summary>
public sealed record CustomerQuery(
    string? Filter = null,
    string? Sort = null,
    int Offset = 0,
    int Limit = 25,
    bool? HasPassword = null)
{
    public const int MaxLimit = 100;
    /// <summary>Deeper pages would scan the index ever further; narrow the filter instead (as the API does).</summary>
    public const int MaxOffset = 10_000;
}

public static class CustomerFilters
{
    public static readonly FilterSchema Schema = new(new Dictionary<string, string[]>
    {
        ["email"] = FilterSchema.Text,
        ["name"] = FilterSchema.Text,
        ["id"] = FilterSchema.Compare,
        ["created_at"] = FilterSchema.Compare,
        ["updated_at"] = FilterSchema.Compare,
        ["external_ref"] = FilterSchema.EqOnly,
    });

    public static readonly string[] SortFields = ["name", "email", "created_at", "updated_at"];

    public static IQueryable<Customer> Apply(IQueryable<Customer> q, IEnumerable<FilterTerm> terms)
    {
        foreach (var t in terms)
        {
            q = t.Field switch
            {
                "email" => ApplyText(q, t, c => c.NormalizedEmail, Customer.Normalize),
                "name" => ApplyText(q, t, c => c.NormalizedName, Customer.FoldName),
                "external_ref" => q.Where(c => c.ExternalRef == t.Value),
                "id" => ApplyCompare(q, t.Op, c => c.Id, FilterLanguage.ParseGuid(t)),
                "created_at" => ApplyCompare(q, t.Op, c => c.CreatedAt, FilterLanguage.ParseTimestamp(t)),
                "updated_at" => ApplyCompare(q, t.Op, c => c.UpdatedAt, FilterLanguage.ParseTimestamp(t)),
                _ => throw new FilterException($"Filtering on '{t.Field}' is not supported."),
            };
        }
        return q;
    }

    public static IQueryable<Customer> Sort(IQueryable<Customer> q, string? sort, string defaultSort)
    {
        var s = string.IsNullOrWhiteSpace(sort) ? defaultSort : sort.Trim();
        var desc = s.StartsWith('-');
        var field = s.TrimStart('-');
        return (field, desc) switch
        {
            ("name", false) => q.OrderBy(c => c.NormalizedName).ThenBy(c => c.Id),
            ("name", true) => q.OrderByDescending(c => c.NormalizedName).ThenByDescending(c => c.Id),
            ("email", false) => q.OrderBy(c => c.NormalizedEmail),
            ("email", true) => q.OrderByDescending(c => c.NormalizedEmail),
            ("created_at", false) => q.OrderBy(c => c.CreatedAt).ThenBy(c => c.Id),
            ("created_at", true) => q.OrderByDescending(c => c.CreatedAt).ThenByDescending(c => c.Id),
            ("updated_at", false) => q.OrderBy(c => c.UpdatedAt).ThenBy(c => c.Id),
            ("updated_at", true) => q.OrderByDescending(c => c.UpdatedAt).ThenByDescending(c => c.Id),
            _ => throw new FilterException($"Sorting by '{field}' is not supported. Use one of: {string.Join(", ", SortFields)}."),
        };
    }

    private static IQueryable<Customer> ApplyText(IQueryable<Customer> q, FilterTerm t, Expression<Func<Customer, string>> column,
        Func<string, string> normalize)
    {
        var (kind, text) = t.Op == "eq" ? (LikeKind.Equals, t.Value) : LikePattern.Read(t.Value);
        var value = normalize(text);
        if (value.Length == 0 && kind != LikeKind.Equals)
        {
            return q;
        }
        return kind switch
        {
            LikeKind.Equals => q.Where(Rewrite(column, c => c == value)),
            LikeKind.StartsWith => q.Where(StartsWith(column, value)),
            LikeKind.EndsWith => q.Where(Rewrite(column, c => c.EndsWith(value))),
            _ => q.Where(Rewrite(column, c => c.Contains(value))),
        };
    }

    /// <summary>
    /// A prefix as a range (<c>col &gt;= 'ab' AND col &lt; 'ac'</c>) so it is an index seek on any provider,
    /// whatever its LIKE and collation rules.
    /// </summary>
    private static Expression<Func<Customer, bool>> StartsWith(Expression<Func<Customer, string>> column, string prefix)
    {
        var last = prefix[^1];
        var next = (char)(last + 1);
        if (char.IsSurrogate(last) || char.IsSurrogate(next) || last == char.MaxValue)
        {
            return Rewrite(column, c => c.StartsWith(prefix));
        }
        var upper = prefix[..^1] + next;
        // EF translates the two-argument string.Compare to SQL's own (binary, so ordinal) comparison.
#pragma warning disable CA1309
        return Rewrite(column, c => string.Compare(c, prefix) >= 0 && string.Compare(c, upper) < 0);
#pragma warning restore CA1309
    }

    private static IQueryable<Customer> ApplyCompare<TValue>(IQueryable<Customer> q, string op,
        Expression<Func<Customer, TValue>> column, TValue value) where TValue : IComparable<TValue>
    {
        // Guid and DateTime have no < operator in expression trees, so build the comparison directly.
        var left = column.Body;
        // Read the value through a closure-like member so EF sends it as a SQL parameter, never as a literal.
        var right = Expression.Property(Expression.Constant(new Box<TValue>(value)), nameof(Box<TValue>.Value));
        Expression body = op switch
        {
            "eq" => Expression.Equal(left, right),
            "gt" => Compare(ExpressionType.GreaterThan, left, right),
            "ge" => Compare(ExpressionType.GreaterThanOrEqual, left, right),
            "lt" => Compare(ExpressionType.LessThan, left, right),
            "le" => Compare(ExpressionType.LessThanOrEqual, left, right),
            _ => throw new FilterException($"The operator '{op}' is not supported."),
        };
        return q.Where(Expression.Lambda<Func<Customer, bool>>(body, column.Parameters));
    }

    private static BinaryExpression Compare(ExpressionType type, Expression left, Expression right)
    {
        if (left.Type == typeof(Guid))
        {
            // EF translates Guid.CompareTo(x) > 0 to a column comparison.
            var call = Expression.Call(left, typeof(Guid).GetMethod(nameof(Guid.CompareTo), [typeof(Guid)])!, right);
            return Expression.MakeBinary(type, call, Expression.Constant(0));
        }
        return Expression.MakeBinary(type, left, right);
    }

    private static Expression<Func<Customer, bool>> Rewrite(Expression<Func<Customer, string>> column, Expression<Func<string, bool>> predicate)
    {
        var body = new Replace(predicate.Parameters[0], column.Body).Visit(predicate.Body);
        return Expression.Lambda<Func<Customer, bool>>(body, column.Parameters);
    }

    private sealed record Box<T>(T Value);

    private sealed class Replace(ParameterExpression from, Expression to) : ExpressionVisitor
    {
        protected override Expression VisitParameter(ParameterExpression node) => node == from ? to : base.VisitParameter(node);
    }
}
