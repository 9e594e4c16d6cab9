// Violations planted on purpose, for ArchitectureTests.The_checks_catch_a_planted_violation: a tiny "app" whose folders
// break every rule once. Nothing uses these types.
namespace ArchitecturePlant.Common
{
    public static class Helper
    {
        public static string Describe(Orders.Order order) => order.Number;
    }
}

namespace ArchitecturePlant.Orders
{
    public sealed class Order
    {
        public string Number { get; } = System.DateTime.UtcNow.Ticks.ToString(System.Globalization.CultureInfo.InvariantCulture);

        public Customers.Customer? Customer { get; set; }

        public Api.Endpoint? Endpoint { get; set; }
    }
}

namespace ArchitecturePlant.Customers
{
    public sealed class Customer
    {
        public List<Orders.Order> Orders { get; } = [];
    }
}

namespace ArchitecturePlant.Api
{
    public sealed class Endpoint;
}
