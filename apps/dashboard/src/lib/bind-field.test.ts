import { describe, expect, it } from "vitest";
import { fieldBinder } from "./bind-field.ts";

describe("fieldBinder", () => {
  it("gives a field its value, its errors, and a handler that sets that field", () => {
    const set: [string, string][] = [];
    const bind = fieldBinder(
      { name: "checkout", tags: "prod", rotationEnabled: true },
      (key, value) => set.push([key, value]),
      { name: ["Taken"] },
    );
    const name = bind("name");
    expect(name.value).toBe("checkout");
    expect(name.errors).toEqual(["Taken"]);
    expect(bind("tags").errors).toBeUndefined();
    bind("tags").onValueChange("prod, eu");
    expect(set).toEqual([["tags", "prod, eu"]]);
  });
});
