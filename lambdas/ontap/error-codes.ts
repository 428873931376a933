// ONTAP `error.code` values that the client maps to typed errors and that the simulator
// answers with. Codes ONTAP documents are used as ONTAP uses them; the rest are marked.
// The generic request codes (2621xx) are ONTAP's table of generic REST errors.

export const ONTAP_ERROR = {
  /** "entry doesn't exist" (unknown uuid or name). */
  ENTRY_NOT_FOUND: '4',
  /** "duplicate entry": the object already exists. */
  DUPLICATE_ENTRY: '1',
  /** "Unexpected argument" (an unknown field in a request body or query). */
  UNEXPECTED_ARGUMENT: '262179',
  /** A field's value is of the wrong type or out of range ("Invalid value"). */
  INVALID_VALUE: '262185',
  /** A value not among the field's values (an enum), or an unknown name in `fields=`. */
  INVALID_FIELD_VALUE: '262197',
  /** "Field cannot be set in this operation": read-only, or not patchable (SVM `subtype`). */
  NOT_SETTABLE: '262196',
  /** A field was given twice (`"svm.name"` beside `"svm": {"name"}`). */
  SPECIFIED_TWICE: '262188',
  /** "Request is missing required value". */
  MISSING_FIELD: '262212',
  /** The object is busy (a conflicting operation is in progress). */
  OBJECT_BUSY: '13',
  /** The node that owns the object is down or taken over by its HA partner. */
  NODE_UNHEALTHY: '852046',
  /**
   * The simulator's code for an unreachable peer cluster (inter-cluster link down): not an ONTAP
   * code. ONTAP says so in the transfer's or job's message; a real cluster's outage shows as the
   * cluster peer's availability (`/api/cluster/peers` status), which precheck and the poll read.
   */
  PEER_UNREACHABLE: '90000001',
  /** A SnapMirror transfer is already in progress (Trident: SNAPMIRROR_TRANSFER_IN_PROGRESS). */
  SNAPMIRROR_TRANSFER_IN_PROGRESS: '13303812',
  /** "Transition to broken_off state failed. Reason: Another transfer is in progress." */
  SNAPMIRROR_BREAK_TRANSFER_IN_PROGRESS: '13303808',
  /** Another change of the relationship is in progress (Trident: SNAPMIRROR_MODIFICATION_IN_PROGRESS). */
  SNAPMIRROR_MODIFICATION_IN_PROGRESS: '13303822',
  /** The volume is busy with another job (Trident: VOLUME_BUSY_ERROR_REST). */
  VOLUME_BUSY: '524486',
  /** A volume create is still in progress (Trident: VOLUME_CREATE_IN_PROGRESS_ERROR_REST). */
  VOLUME_CREATE_IN_PROGRESS: '13107405',
  /** Transient failure inside the cluster (answered with HTTP 503). */
  INTERNAL: '2',
} as const;

export type OntapErrorCode = (typeof ONTAP_ERROR)[keyof typeof ONTAP_ERROR];
