using CommerceManager.Querying;
using CommerceManager.Customers;

namespace CommerceManager.Tests.Customers;

public sealed class FilterLanguageTests
{
    [Fact]
    public void Terms_are_split_on_colons_and_values_may_hold_colons_and_quotes()
    {
        var terms = FilterLanguage.Parse("eq(email,a@b.example):gt(created_at,2025-01-01T10:00:00Z):eq(name,\"Smith, John\"):like(name,'O\"Brien*')");

        Assert.Equal(
            [
                new FilterTerm("eq", "email", "a@b.example"),
                new FilterTerm("gt", "created_at", "2025-01-01T10:00:00Z"),
                new FilterTerm("eq", "name", "Smith, John"),
                new FilterTerm("like", "name", "O\"Brien*"),
            ], terms);
    }

    [Fact]
    public void At_most_ten_terms_are_accepted()
    {
        var ten = string.Join(':', Enumerable.Repeat("eq(name,a)", 10));

        Assert.Equal(10, FilterLanguage.Parse(ten).Count);
        Assert.Throws<FilterException>(() => FilterLanguage.Parse(ten + ":eq(name,b)"));
    }

    [Fact]
    public void Formatting_quotes_only_what_needs_it_and_parses_back()
    {
        var terms = new[] { new FilterTerm("like", "name", "*Smith, J*"), new FilterTerm("eq", "email", "a@b.example") };

        var text = FilterLanguage.Format(terms);

        Assert.Equal("like(name,\"*Smith, J*\"):eq(email,a@b.example)", text);
        Assert.Equal(terms, FilterLanguage.Parse(text));
    }

    [Theory]
    [InlineData(SearchField.Name, SearchOperator.Is, "Ada", "eq(name,Ada)")]
    [InlineData(SearchField.Name, SearchOperator.IsLike, "Ada", "like(name,*Ada*)")]
    [InlineData(SearchField.Email, SearchOperator.StartsWith, "ada", "like(email,ada*)")]
    [InlineData(SearchField.Email, SearchOperator.EndsWith, "@example.com", "like(email,*@example.com)")]
    public void The_search_bar_builds_the_API_filter_and_reads_it_back(SearchField field, SearchOperator op, string text, string filter)
    {
        var search = new CustomerSearch { Field = field, Operator = op, Text = text };

        Assert.Equal(filter, search.ToFilter());
        var back = CustomerSearch.FromFilter(filter);
        Assert.Equal((field, op, text), (back.Field, back.Operator, back.Text));
    }

    [Fact]
    public void The_date_range_is_inclusive_and_hand_written_terms_survive_a_round_trip()
    {
        var search = CustomerSearch.FromFilter("like(name,ada*):ge(created_at,2025-01-01):lt(created_at,2025-02-01):eq(external_ref,crm-1)");

        Assert.Equal(new DateTime(2025, 1, 1), search.CreatedFrom);
        Assert.Equal(new DateTime(2025, 1, 31), search.CreatedTo);
        search.Text = "grace";
        Assert.Equal("like(name,grace*):ge(created_at,2025-01-01):lt(created_at,2025-02-01):eq(external_ref,crm-1)", search.ToFilter());
    }
}
