// Role names are a name scheme of the environment model; components take them from there.
export { platformRolePattern, roleNames } from "../model/names";
