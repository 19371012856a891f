// What every form in a modal of accounts and keys does: start fresh each time it opens, show
// saving, and show a refusal in the console's words instead of closing.
import { useEffect, useState } from 'react';
import type { FormInstance } from 'antd';
import { useT } from '../../i18n/i18n.tsx';
import { refusalText } from './refusals.ts';

export function useModalForm<V>(open: boolean, form: FormInstance<V>, save: (values: V) => Promise<void>, onOpen?: () => void): {
  saving: boolean;
  refusal: string | undefined;
  submit: (values: V) => void;
} {
  const t = useT();
  const [saving, setSaving] = useState(false);
  const [refusal, setRefusal] = useState<string>();
  useEffect(() => {
    if (!open) return;
    if (onOpen) onOpen();
    else form.resetFields();
    setRefusal(undefined);
    // onOpen reads what is being opened; it changes with `open`
  }, [open, form]);

  const submit = (values: V) => {
    setSaving(true);
    setRefusal(undefined);
    save(values)
      .catch((err: unknown) => setRefusal(refusalText(t, err)))
      .finally(() => setSaving(false));
  };
  return { saving, refusal, submit };
}
