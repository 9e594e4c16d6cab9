using CommerceManager.Customers;
using CommerceManager.DataTransfer;
using CommerceManager.Exports;
using CommerceManager.Querying;

namespace CommerceManager.Tests.Exports;

/// <summary>Exports say what they hold (issue 40, item 7): in words, in the file's name, and money in currency units.</summary>
public sealed class ExportLabelTests
{
    [Theory]
    [InlineData("eq(status,complete)", "Status is “complete”")]
    [InlineData("like(name,*zola*):ge(created_at,2026-01-01)", "Name contains “zola”, created on or after 2026-01-01")]
    [InlineData("like(email,*@example.org)", "Email ends with “@example.org”")]
    [InlineData("eq(payment,refunded):lt(created_at,2026-02-01)", "Payment is “refunded”, created before 2026-02-01")]
    [InlineData("in(status,complete,processing)", "Status is one of “complete”, “processing”")]
    [InlineData("gt(order_count,3)", "Order count more than “3”")]
    [InlineData("", "")]
    [InlineData("eq(status,compl", "eq(status,compl")] // unreadable: given back as typed
    public void A_filter_reads_in_words(string filter, string words)
    {
        Assert.Equal(words, FilterWords.Describe(filter));
    }

    [Fact]
    public void An_export_is_called_after_its_view_its_filter_its_ticks_or_everything()
    {
        Assert.Equal("VIP London", ExportService.LabelOf(new ExportRequest(ExportKind.Customers, Filter: "eq(email,a@b.example)", Label: " VIP London ")));
        Assert.Equal("Status is “complete”", ExportService.LabelOf(new ExportRequest(ExportKind.Orders, Filter: "eq(status,complete)")));
        Assert.Equal("Matching “zola”; Password not set",
            ExportService.LabelOf(new ExportRequest(ExportKind.Customers, Search: "zola", HasPassword: false)));
        Assert.Equal("2 ticked customers", ExportService.LabelOf(new ExportRequest(ExportKind.Customers, Ids: [Guid.NewGuid(), Guid.NewGuid()])));
        Assert.Equal("1 ticked order", ExportService.LabelOf(new ExportRequest(ExportKind.Orders, Ids: [Guid.NewGuid()])));
        Assert.Equal("All customers", ExportService.LabelOf(new ExportRequest(ExportKind.Customers)));
    }

    [Theory]
    [InlineData(ExportKind.Customers, "VIP London (Zoë's)", "customers-vip-london-zoe-s-2026-11-26-1405.csv")]
    [InlineData(ExportKind.Orders, "Status is “complete”, created before 2026-02-01", "orders-status-is-complete-created-before-2026-02-01-2026-11-26-1405.csv")]
    [InlineData(ExportKind.Customers, "All customers", "customers-all-2026-11-26-1405.csv")]
    [InlineData(ExportKind.Customers, null, "customers-2026-11-26-1405.csv")] // an export from before labels
    public void The_file_is_named_after_what_it_holds(ExportKind kind, string? label, string name)
    {
        var job = new ExportJob { Kind = kind, Label = label, CreatedAt = new DateTime(2026, 11, 26, 14, 5, 0, DateTimeKind.Utc) };
        Assert.Equal(name, ExportService.DownloadName(job));
    }

    [Theory]
    [InlineData("USD", 35800L, "358.00")]
    [InlineData("JPY", 4200L, "4200")]
    public void The_customer_export_gives_money_in_the_currency_s_units(string currency, long minor, string expected)
    {
        var customer = new CustomerDto(Guid.NewGuid(), "Ann", "ann@example.com", false, null, DateTime.UtcNow, DateTime.UtcNow, Guid.NewGuid(),
            OrderCount: 2, OrdersTotal: minor);
        var row = ExportRows.Customer(customer, [], [], csv: false, currency);
        var column = Array.IndexOf(ExportRows.CustomerColumns, "orders_total");
        Assert.Equal(expected, ((decimal)row[column]!).ToString(System.Globalization.CultureInfo.InvariantCulture));
    }
}
