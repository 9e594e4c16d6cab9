using System.Linq.Expressions;

namespace CommerceManager.Querying;

/// <summary>Expression helpers that turn filter terms into LINQ an index can serve, with values as SQL parameters.</summary>
public static class QueryBuilding
{
    /// <summary>Applies a string predicate to a string column of <typeparamref name="T"/>.</summary>
    public static Expression<Func<T, bool>> Rewrite<T>(Expression<Func<T, string>> column, Expression<Func<string, bool>> predicate)
    {
        var body = new Replace(predicate.Parameters[0], column.Body).Visit(predicate.Body);
        return Expression.Lambda<Func<T, bool>>(body, column.Parameters);
    }

    /// <summary>
    /// A prefix as a range (<c>col &gt;= 'ab' AND col &lt; 'ac'</c>) so it is an index seek on any provider,
    /// whatever its LIKE and collation rules.
    /// </summary>
    public static Expression<Func<T, bool>> StartsWith<T>(Expression<Func<T, string>> column, string prefix)
    {
        if (prefix.Length == 0)
        {
            return _ => true;
        }
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

    /// <summary>
    /// An EP text term on a normalized column: <c>eq</c> is equality; <c>like</c> is equality, prefix, suffix or
    /// contains by where its <c>*</c> wildcards stand. <paramref name="normalize"/> folds the value as the column is.
    /// </summary>
    public static IQueryable<T> Text<T>(IQueryable<T> q, FilterTerm t, Expression<Func<T, string>> column, Func<string, string> normalize)
    {
        var (kind, text) = t.Op == "eq" ? (LikeKind.Equals, t.Value) : LikePattern.Read(t.Value);
        var value = normalize(text);
        if (value.Length == 0 && kind != LikeKind.Equals)
        {
            // like(field,*) matches everything.
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

    /// <summary>eq / gt / ge / lt / le on a comparable column (timestamps, ids).</summary>
    public static Expression<Func<T, bool>> Compare<T, TValue>(string op, Expression<Func<T, TValue>> column, TValue value)
    {
        var left = column.Body;
        // Read the value through a closure-like member so EF sends it as a SQL parameter, never as a literal.
        var right = Expression.Property(Expression.Constant(new Box<TValue>(value)), nameof(Box<TValue>.Value));
        Expression body = op switch
        {
            "eq" => Expression.Equal(left, right),
            "gt" => Binary(ExpressionType.GreaterThan, left, right),
            "ge" => Binary(ExpressionType.GreaterThanOrEqual, left, right),
            "lt" => Binary(ExpressionType.LessThan, left, right),
            "le" => Binary(ExpressionType.LessThanOrEqual, left, right),
            _ => throw new FilterException($"The operator '{op}' is not supported."),
        };
        return Expression.Lambda<Func<T, bool>>(body, column.Parameters);
    }

    private static BinaryExpression Binary(ExpressionType type, Expression left, Expression right)
    {
        if (left.Type == typeof(string))
        {
            // Strings have no comparison operators either; EF translates string.Compare(a, b) > 0 to a > b.
            var compare = Expression.Call(typeof(string).GetMethod(nameof(string.Compare), [typeof(string), typeof(string)])!, left, right);
            return Expression.MakeBinary(type, compare, Expression.Constant(0));
        }
        if (left.Type == typeof(Guid))
        {
            // Guid has no comparison operators in expression trees; EF translates CompareTo(x) > 0 to a column comparison.
            var call = Expression.Call(left, typeof(Guid).GetMethod(nameof(Guid.CompareTo), [typeof(Guid)])!, right);
            return Expression.MakeBinary(type, call, Expression.Constant(0));
        }
        return Expression.MakeBinary(type, left, right);
    }

    private sealed record Box<TValue>(TValue Value);

    private sealed class Replace(ParameterExpression from, Expression to) : ExpressionVisitor
    {
        protected override Expression VisitParameter(ParameterExpression node) => node == from ? to : base.VisitParameter(node);
    }
}
