using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CommerceManager.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class AddressesOrdersCarts : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "Addresses",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    CustomerId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Name = table.Column<string>(type: "TEXT", maxLength: 255, nullable: true),
                    FirstName = table.Column<string>(type: "TEXT", maxLength: 255, nullable: false),
                    LastName = table.Column<string>(type: "TEXT", maxLength: 255, nullable: false),
                    CompanyName = table.Column<string>(type: "TEXT", maxLength: 255, nullable: true),
                    Line1 = table.Column<string>(type: "TEXT", maxLength: 255, nullable: false),
                    Line2 = table.Column<string>(type: "TEXT", maxLength: 255, nullable: true),
                    City = table.Column<string>(type: "TEXT", maxLength: 255, nullable: true),
                    Region = table.Column<string>(type: "TEXT", maxLength: 255, nullable: true),
                    Postcode = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    County = table.Column<string>(type: "TEXT", maxLength: 255, nullable: false),
                    Country = table.Column<string>(type: "TEXT", maxLength: 2, nullable: false),
                    PhoneNumber = table.Column<string>(type: "TEXT", maxLength: 32, nullable: true),
                    Instructions = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    UpdatedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    Version = table.Column<Guid>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Addresses", x => x.Id);
                    table.ForeignKey(
                        name: "FK_Addresses_Customers_CustomerId",
                        column: x => x.CustomerId,
                        principalTable: "Customers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "Carts",
                columns: table => new
                {
                    Reference = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    UpdatedAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Carts", x => x.Reference);
                });

            migrationBuilder.CreateTable(
                name: "Orders",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    CustomerId = table.Column<Guid>(type: "TEXT", nullable: true),
                    CustomerName = table.Column<string>(type: "TEXT", nullable: false),
                    CustomerEmail = table.Column<string>(type: "TEXT", nullable: false),
                    NormalizedCustomerName = table.Column<string>(type: "TEXT", nullable: false),
                    NormalizedCustomerEmail = table.Column<string>(type: "TEXT", nullable: false),
                    Status = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    Payment = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    Shipping = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    Currency = table.Column<string>(type: "TEXT", maxLength: 3, nullable: false),
                    Total = table.Column<long>(type: "INTEGER", nullable: false),
                    Tax = table.Column<long>(type: "INTEGER", nullable: false),
                    ItemCount = table.Column<int>(type: "INTEGER", nullable: false),
                    CartReference = table.Column<string>(type: "TEXT", nullable: true),
                    BillingAddress_FirstName = table.Column<string>(type: "TEXT", nullable: false),
                    BillingAddress_LastName = table.Column<string>(type: "TEXT", nullable: false),
                    BillingAddress_CompanyName = table.Column<string>(type: "TEXT", nullable: true),
                    BillingAddress_Line1 = table.Column<string>(type: "TEXT", nullable: false),
                    BillingAddress_Line2 = table.Column<string>(type: "TEXT", nullable: true),
                    BillingAddress_City = table.Column<string>(type: "TEXT", nullable: true),
                    BillingAddress_Region = table.Column<string>(type: "TEXT", nullable: false),
                    BillingAddress_Postcode = table.Column<string>(type: "TEXT", nullable: false),
                    BillingAddress_County = table.Column<string>(type: "TEXT", nullable: true),
                    BillingAddress_Country = table.Column<string>(type: "TEXT", nullable: false),
                    BillingAddress_PhoneNumber = table.Column<string>(type: "TEXT", nullable: true),
                    BillingAddress_Instructions = table.Column<string>(type: "TEXT", nullable: true),
                    ShippingAddress_FirstName = table.Column<string>(type: "TEXT", nullable: false),
                    ShippingAddress_LastName = table.Column<string>(type: "TEXT", nullable: false),
                    ShippingAddress_CompanyName = table.Column<string>(type: "TEXT", nullable: true),
                    ShippingAddress_Line1 = table.Column<string>(type: "TEXT", nullable: false),
                    ShippingAddress_Line2 = table.Column<string>(type: "TEXT", nullable: true),
                    ShippingAddress_City = table.Column<string>(type: "TEXT", nullable: true),
                    ShippingAddress_Region = table.Column<string>(type: "TEXT", nullable: false),
                    ShippingAddress_Postcode = table.Column<string>(type: "TEXT", nullable: false),
                    ShippingAddress_County = table.Column<string>(type: "TEXT", nullable: true),
                    ShippingAddress_Country = table.Column<string>(type: "TEXT", nullable: false),
                    ShippingAddress_PhoneNumber = table.Column<string>(type: "TEXT", nullable: true),
                    ShippingAddress_Instructions = table.Column<string>(type: "TEXT", nullable: true),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    UpdatedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    Version = table.Column<Guid>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Orders", x => x.Id);
                    table.ForeignKey(
                        name: "FK_Orders_Customers_CustomerId",
                        column: x => x.CustomerId,
                        principalTable: "Customers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.SetNull);
                });

            migrationBuilder.CreateTable(
                name: "CartItems",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    CartReference = table.Column<string>(type: "TEXT", nullable: false),
                    Name = table.Column<string>(type: "TEXT", nullable: false),
                    Sku = table.Column<string>(type: "TEXT", nullable: false),
                    Description = table.Column<string>(type: "TEXT", nullable: true),
                    Quantity = table.Column<int>(type: "INTEGER", nullable: false),
                    UnitPrice = table.Column<long>(type: "INTEGER", nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_CartItems", x => x.Id);
                    table.ForeignKey(
                        name: "FK_CartItems_Carts_CartReference",
                        column: x => x.CartReference,
                        principalTable: "Carts",
                        principalColumn: "Reference",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "OrderEvents",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    OrderId = table.Column<Guid>(type: "TEXT", nullable: false),
                    At = table.Column<DateTime>(type: "TEXT", nullable: false),
                    Field = table.Column<string>(type: "TEXT", nullable: false),
                    From = table.Column<string>(type: "TEXT", nullable: true),
                    To = table.Column<string>(type: "TEXT", nullable: false),
                    By = table.Column<string>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_OrderEvents", x => x.Id);
                    table.ForeignKey(
                        name: "FK_OrderEvents_Orders_OrderId",
                        column: x => x.OrderId,
                        principalTable: "Orders",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "OrderItems",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    OrderId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Name = table.Column<string>(type: "TEXT", nullable: false),
                    Sku = table.Column<string>(type: "TEXT", nullable: false),
                    Quantity = table.Column<int>(type: "INTEGER", nullable: false),
                    UnitPrice = table.Column<long>(type: "INTEGER", nullable: false),
                    LineTotal = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_OrderItems", x => x.Id);
                    table.ForeignKey(
                        name: "FK_OrderItems_Orders_OrderId",
                        column: x => x.OrderId,
                        principalTable: "Orders",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_Addresses_CustomerId_CreatedAt",
                table: "Addresses",
                columns: new[] { "CustomerId", "CreatedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_CartItems_CartReference",
                table: "CartItems",
                column: "CartReference");

            migrationBuilder.CreateIndex(
                name: "IX_OrderEvents_OrderId_At",
                table: "OrderEvents",
                columns: new[] { "OrderId", "At" });

            migrationBuilder.CreateIndex(
                name: "IX_OrderItems_OrderId",
                table: "OrderItems",
                column: "OrderId");

            migrationBuilder.CreateIndex(
                name: "IX_Orders_CreatedAt_Id",
                table: "Orders",
                columns: new[] { "CreatedAt", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_Orders_CustomerId_CreatedAt_Id",
                table: "Orders",
                columns: new[] { "CustomerId", "CreatedAt", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_Orders_NormalizedCustomerEmail_CreatedAt_Id",
                table: "Orders",
                columns: new[] { "NormalizedCustomerEmail", "CreatedAt", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_Orders_NormalizedCustomerName_CreatedAt_Id",
                table: "Orders",
                columns: new[] { "NormalizedCustomerName", "CreatedAt", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_Orders_Payment_CreatedAt_Id",
                table: "Orders",
                columns: new[] { "Payment", "CreatedAt", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_Orders_Shipping_CreatedAt_Id",
                table: "Orders",
                columns: new[] { "Shipping", "CreatedAt", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_Orders_Status_CreatedAt_Id",
                table: "Orders",
                columns: new[] { "Status", "CreatedAt", "Id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "Addresses");

            migrationBuilder.DropTable(
                name: "CartItems");

            migrationBuilder.DropTable(
                name: "OrderEvents");

            migrationBuilder.DropTable(
                name: "OrderItems");

            migrationBuilder.DropTable(
                name: "Carts");

            migrationBuilder.DropTable(
                name: "Orders");
        }
    }
}
