using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CommerceManager.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class MoneyThatAddsUp : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTime>(
                name: "CapturedAt",
                table: "OrderTransactions",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "ParentId",
                table: "OrderTransactions",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "RefundedAmount",
                table: "Orders",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.CreateIndex(
                name: "IX_OrderTransactions_ParentId",
                table: "OrderTransactions",
                column: "ParentId");

            // Before: a refund retyped the payment it gave money back from (its line and time were lost). Each refunded
            // payment gets one refund line of its own (dated when it was last refunded), and is a payment again; captures
            // keep when they happened; orders keep what was refunded, so it is not owed again.
            migrationBuilder.Sql("""
                INSERT INTO "OrderTransactions" ("Id", "OrderId", "Type", "Status", "Gateway", "Amount", "RefundedAmount", "Currency",
                    "CustomReference", "Name", "CreatedBy", "CreatedAt", "UpdatedAt", "ParentId", "CapturedAt")
                SELECT upper(hex(randomblob(4))||'-'||hex(randomblob(2))||'-7'||substr(hex(randomblob(2)),2)||'-'||substr('89AB',1+abs(random())%4,1)||substr(hex(randomblob(2)),2)||'-'||hex(randomblob(6))), "OrderId", 'Refund', 'Complete', "Gateway", "RefundedAmount", 0, "Currency",
                    NULL, "Name", "CreatedBy", "UpdatedAt", "UpdatedAt", "Id", NULL
                FROM "OrderTransactions" WHERE "RefundedAmount" > 0 AND "ParentId" IS NULL;
                UPDATE "OrderTransactions" SET "Type" = 'Purchase' WHERE "Type" = 'Refund' AND "ParentId" IS NULL;
                UPDATE "OrderTransactions" SET "CapturedAt" = "UpdatedAt" WHERE "Type" = 'Capture';
                UPDATE "Orders" SET "RefundedAmount" = (SELECT coalesce(sum(t."Amount"), 0) FROM "OrderTransactions" t
                    WHERE t."OrderId" = "Orders"."Id" AND t."Type" = 'Refund')
                WHERE "Id" IN (SELECT "OrderId" FROM "OrderTransactions" WHERE "Type" = 'Refund');
                UPDATE "Orders" SET "RefundedAmount" = "Total" + "Tax" - "PaidAmount"
                WHERE "Payment" = 'Refunded' AND "RefundedAmount" = 0 AND "Total" + "Tax" > "PaidAmount";
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_OrderTransactions_ParentId",
                table: "OrderTransactions");

            migrationBuilder.DropColumn(
                name: "CapturedAt",
                table: "OrderTransactions");

            migrationBuilder.DropColumn(
                name: "ParentId",
                table: "OrderTransactions");

            migrationBuilder.DropColumn(
                name: "RefundedAmount",
                table: "Orders");
        }
    }
}
