namespace CommerceManager.Orders;

public static class OrderFormat
{
    /// <summary>The last 8 hex digits of an order id: version-7 ids share their leading (time) digits.</summary>
    public static string ShortId(Guid id) => "#" + CommerceManager.Data.ShortIdSql.Of(id);
}
